/*
 * test_gateway_codec.c: envelope parsing, payload builders, the close-code
 * table, reconnect backoff and the gateway send-rate limiter.
 */
#include "../check.h"
#include "gateway_codec.h"
#include "log.h"

#include <dbot/dbot.h>

#include <math.h>

static char err[256];

static int
parse(const char *text, struct dbot__gw_msg *m)
{
    err[0] = '\0';
    return dbot__gw_parse(text, strlen(text), m, err, sizeof err);
}

TEST(parse_valid_frames)
{
    struct dbot__gw_msg m;

    ASSERT_EQ(parse("{\"op\":10,\"d\":{\"heartbeat_interval\":41250},"
                    "\"s\":null,\"t\":null}",
                    &m),
              0);
    ASSERT_EQ(m.op, DBOT__OP_HELLO);
    ASSERT_EQ(m.s, -1);
    ASSERT_TRUE(m.t == NULL);
    ASSERT_EQ(cJSON_GetObjectItem(m.d, "heartbeat_interval")->valueint, 41250);
    cJSON_Delete(m.root);

    ASSERT_EQ(parse("{\"t\":\"MESSAGE_CREATE\",\"s\":42,\"op\":0,"
                    "\"d\":{\"content\":\"hi\"}}",
                    &m),
              0);
    ASSERT_EQ(m.op, DBOT__OP_DISPATCH);
    ASSERT_EQ(m.s, 42);
    ASSERT_STREQ(m.t, "MESSAGE_CREATE");
    ASSERT_STREQ(cJSON_GetObjectItem(m.d, "content")->valuestring, "hi");
    cJSON_Delete(m.root);

    /* Sequence numbers beyond 32 bits stay exact. */
    ASSERT_EQ(parse("{\"op\":0,\"s\":4294967297,\"t\":\"X\",\"d\":{}}", &m), 0);
    ASSERT_EQ(m.s, 4294967297LL);
    cJSON_Delete(m.root);

    /* A dispatch with "s":null or no "s" keeps s = -1: the caller must not
     * overwrite its last sequence number. */
    ASSERT_EQ(parse("{\"op\":0,\"s\":null,\"t\":\"RESUMED\",\"d\":null}", &m),
              0);
    ASSERT_EQ(m.s, -1);
    ASSERT_TRUE(cJSON_IsNull(m.d));
    cJSON_Delete(m.root);
    ASSERT_EQ(parse("{\"op\":0,\"t\":\"RESUMED\"}", &m), 0);
    ASSERT_EQ(m.s, -1);
    ASSERT_TRUE(m.d == NULL);
    cJSON_Delete(m.root);

    /* "s" and "t" on other opcodes are ignored, whatever they hold. */
    ASSERT_EQ(parse("{\"op\":11,\"s\":99,\"t\":\"X\"}", &m), 0);
    ASSERT_EQ(m.op, DBOT__OP_HEARTBEAT_ACK);
    ASSERT_EQ(m.s, -1);
    ASSERT_TRUE(m.t == NULL);
    ASSERT_TRUE(m.d == NULL);
    cJSON_Delete(m.root);
    ASSERT_EQ(parse("{\"op\":9,\"d\":false,\"s\":\"junk\"}", &m), 0);
    ASSERT_EQ(m.op, DBOT__OP_INVALID_SESSION);
    ASSERT_TRUE(cJSON_IsFalse(m.d));
    cJSON_Delete(m.root);
    ASSERT_EQ(parse("{\"op\":1,\"d\":null}", &m), 0);
    ASSERT_EQ(m.op, DBOT__OP_HEARTBEAT);
    cJSON_Delete(m.root);
    ASSERT_EQ(parse("  {\"op\":7,\"d\":null}\n", &m), 0); /* whitespace */
    ASSERT_EQ(m.op, DBOT__OP_RECONNECT);
    cJSON_Delete(m.root);
    /* Unknown opcodes parse; the gateway decides what to do. */
    ASSERT_EQ(parse("{\"op\":42}", &m), 0);
    ASSERT_EQ(m.op, 42);
    cJSON_Delete(m.root);

    /* A length that counts the NUL terminator is accepted. */
    ASSERT_EQ(dbot__gw_parse("{\"op\":11}", 10, &m, err, sizeof err), 0);
    cJSON_Delete(m.root);

    /* Only `len` bytes are read: no NUL terminator needed. */
    const char buf[] = "{\"op\":11}GARBAGE";
    ASSERT_EQ(dbot__gw_parse(buf, 9, &m, err, sizeof err), 0);
    ASSERT_EQ(m.op, 11);
    cJSON_Delete(m.root);
}

TEST(parse_invalid_frames)
{
    static const struct {
        const char *text, *why;
    } bad[] = {
        { "", "empty message" },
        { "not json", "invalid JSON near byte 0" },
        { "{\"op\":0,\"d\":{\"content\":\"trunc", "invalid JSON near byte" },
        { "{\"op\":10,\"d\":{\"heartbeat_interval\":412", "invalid JSON" },
        { "{\"op\":11} {\"op\":11}", "trailing data after JSON at byte 10" },
        { "[1,2]", "not a JSON object" },
        { "42", "not a JSON object" },
        { "null", "not a JSON object" },
        { "{\"d\":{}}", "no \"op\"" },
        { "{\"op\":\"0\"}", "\"op\" is not a small integer" },
        { "{\"op\":1.5}", "\"op\" is not a small integer" },
        { "{\"op\":-1}", "\"op\" is not a small integer" },
        { "{\"op\":1e10}", "\"op\" is not a small integer" },
        { "{\"op\":null}", "\"op\" is not a small integer" },
        { "{\"op\":0,\"s\":1,\"d\":{}}", "dispatch without an event name" },
        { "{\"op\":0,\"s\":1,\"t\":null}", "dispatch without an event name" },
        { "{\"op\":0,\"s\":1,\"t\":\"\"}", "dispatch without an event name" },
        { "{\"op\":0,\"s\":1,\"t\":5}", "dispatch without an event name" },
        { "{\"op\":0,\"s\":\"1\",\"t\":\"X\"}", "dispatch \"s\" is not a "
                                                "number" },
        { "{\"op\":0,\"s\":-3,\"t\":\"X\"}", "dispatch \"s\" is not a "
                                             "sequence number" },
        { "{\"op\":0,\"s\":1.5,\"t\":\"X\"}", "is not a sequence number" },
        { "{\"op\":0,\"s\":1e300,\"t\":\"X\"}", "is not a sequence number" },
    };
    struct dbot__gw_msg m;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = parse(bad[i].text, &m);
        if (rc != DBOT_EJSON)
            CHECK_FAIL_("parse(%s) = %d, want DBOT_EJSON", bad[i].text, rc);
        ASSERT_CONTAINS(err, bad[i].why);
        ASSERT_TRUE(m.root == NULL && m.d == NULL && m.t == NULL);
        ASSERT_EQ(m.s, -1);
    }
    /* Every truncation of a valid frame is rejected, never half-parsed. */
    const char *full = "{\"op\":0,\"s\":7,\"t\":\"MESSAGE_CREATE\",\"d\":"
                       "{\"id\":\"1\",\"content\":\"x\"}}";
    for (size_t n = 1; n < strlen(full); n++) {
        ASSERT_EQ(dbot__gw_parse(full, n, &m, err, sizeof err), DBOT_EJSON);
        ASSERT_TRUE(m.root == NULL);
    }
    /* NULL err is allowed. */
    ASSERT_EQ(dbot__gw_parse("x", 1, &m, NULL, 0), DBOT_EJSON);
}

TEST(heartbeat_json)
{
    char *s;

    s = dbot__gw_heartbeat(-1);
    ASSERT_STREQ(s, "{\"op\":1,\"d\":null}");
    free(s);
    s = dbot__gw_heartbeat(0);
    ASSERT_STREQ(s, "{\"op\":1,\"d\":0}");
    free(s);
    s = dbot__gw_heartbeat(251);
    ASSERT_STREQ(s, "{\"op\":1,\"d\":251}");
    free(s);
    s = dbot__gw_heartbeat(9007199254740993LL);
    ASSERT_STREQ(s, "{\"op\":1,\"d\":9007199254740993}");
    free(s);
}

TEST(identify_json)
{
    struct dbot__identify id = {
        .token = "MTA.tok\"en",
        .intents = 33281,
        .shard_id = 1,
        .shard_count = 4,
        .large_threshold = 250,
        .presence_json = "{\"status\":\"online\",\"afk\":false}",
    };
    char *s = dbot__gw_identify(&id);

    ASSERT_STREQ(s, "{\"op\":2,\"d\":{\"token\":\"MTA.tok\\\"en\","
                    "\"properties\":{\"os\":\"linux\",\"browser\":\"dbot\","
                    "\"device\":\"dbot\"},\"intents\":33281,\"shard\":[1,4],"
                    "\"large_threshold\":250,\"presence\":{\"status\":"
                    "\"online\",\"afk\":false}}}");
    free(s);

    /* No shard, no threshold, no presence. */
    struct dbot__identify min = { .token = "abc.def", .intents = 0 };
    s = dbot__gw_identify(&min);
    ASSERT_STREQ(s, "{\"op\":2,\"d\":{\"token\":\"abc.def\",\"properties\":"
                    "{\"os\":\"linux\",\"browser\":\"dbot\",\"device\":"
                    "\"dbot\"},\"intents\":0}}");
    free(s);

    /* The result is valid JSON that our own parser reads back. */
    struct dbot__gw_msg m;
    s = dbot__gw_identify(&id);
    ASSERT_EQ(dbot__gw_parse(s, strlen(s), &m, err, sizeof err), 0);
    ASSERT_EQ(m.op, DBOT__OP_IDENTIFY);
    ASSERT_STREQ(cJSON_GetObjectItem(m.d, "token")->valuestring, "MTA.tok\"en");
    cJSON_Delete(m.root);
    free(s);
    ASSERT_LE(strlen(s = dbot__gw_identify(&id)), 4096);
    free(s);
}

static char logbuf[4096];

static void
capture(const char *line, size_t len, void *data)
{
    (void)data;
    if (len < sizeof logbuf) {
        memcpy(logbuf, line, len);
        logbuf[len] = '\0';
    }
}

TEST(identify_with_bad_presence_goes_out_without_it)
{
    struct dbot__identify id = { .token = "abc.def",
                                 .intents = 1,
                                 .presence_json = "{\"status\":" };
    char *s;

    logbuf[0] = '\0';
    dbot_log_set_sink(capture, NULL);
    s = dbot__gw_identify(&id);
    dbot_log_set_sink(NULL, NULL);
    ASSERT_TRUE(s != NULL);
    ASSERT_NOT_CONTAINS(s, "presence");
    ASSERT_CONTAINS(logbuf, "W gateway: presence is not a JSON object");
    ASSERT_NOT_CONTAINS(logbuf, "abc.def");
    free(s);
}

TEST(resume_json)
{
    char *s = dbot__gw_resume("abc.def", "9f2c\"x", 1337);

    ASSERT_STREQ(s, "{\"op\":6,\"d\":{\"token\":\"abc.def\",\"session_id\":"
                    "\"9f2c\\\"x\",\"seq\":1337}}");
    free(s);
    s = dbot__gw_resume("abc.def", "sess", 0);
    ASSERT_STREQ(s, "{\"op\":6,\"d\":{\"token\":\"abc.def\",\"session_id\":"
                    "\"sess\",\"seq\":0}}");
    free(s);
    /* No sequence or session: nothing to resume. */
    ASSERT_TRUE(dbot__gw_resume("abc.def", "sess", -1) == NULL);
    ASSERT_TRUE(dbot__gw_resume("abc.def", NULL, 5) == NULL);
    ASSERT_TRUE(dbot__gw_resume(NULL, "sess", 5) == NULL);
}

TEST(close_code_table)
{
    static const struct {
        int code;
        enum dbot__close_action action;
    } table[] = {
        { 4000, DBOT__CLOSE_RESUME },
        { 4001, DBOT__CLOSE_RESUME },
        { 4002, DBOT__CLOSE_RESUME },
        { 4003, DBOT__CLOSE_RESUME },
        { 4004, DBOT__CLOSE_FATAL },
        { 4005, DBOT__CLOSE_RESUME },
        { 4007, DBOT__CLOSE_IDENTIFY },
        { 4008, DBOT__CLOSE_RESUME },
        { 4009, DBOT__CLOSE_IDENTIFY },
        { 4010, DBOT__CLOSE_FATAL },
        { 4011, DBOT__CLOSE_FATAL },
        { 4012, DBOT__CLOSE_FATAL },
        { 4013, DBOT__CLOSE_FATAL },
        { 4014, DBOT__CLOSE_FATAL },
        /* Not in the table: try to resume. */
        { 4006, DBOT__CLOSE_RESUME },
        { 4015, DBOT__CLOSE_RESUME },
        { 4900, DBOT__CLOSE_RESUME },
        { 1000, DBOT__CLOSE_RESUME },
        { 1001, DBOT__CLOSE_RESUME },
        { 1006, DBOT__CLOSE_RESUME },
        { 1011, DBOT__CLOSE_RESUME },
        { 0, DBOT__CLOSE_RESUME },
        { -1, DBOT__CLOSE_RESUME },
        { 65535, DBOT__CLOSE_RESUME },
    };

    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        int c = table[i].code;
        if (dbot__gw_close_action(c) != table[i].action)
            CHECK_FAIL_("close %d: action %d, want %d", c,
                        dbot__gw_close_action(c), table[i].action);
        ASSERT_TRUE(dbot__gw_close_name(c) != NULL);
        if (table[i].action == DBOT__CLOSE_FATAL) {
            const char *a = dbot__gw_close_advice(c);
            char code[8];
            snprintf(code, sizeof code, "%d ", c);
            ASSERT_TRUE(a != NULL);
            ASSERT_TRUE(strncmp(a, code, strlen(code)) == 0);
        } else {
            ASSERT_TRUE(dbot__gw_close_advice(c) == NULL);
        }
    }
    ASSERT_CONTAINS(dbot__gw_close_advice(4004), "token");
    ASSERT_CONTAINS(dbot__gw_close_advice(4004), "Developer Portal");
    ASSERT_CONTAINS(dbot__gw_close_advice(4010), "\"shards\"");
    ASSERT_CONTAINS(dbot__gw_close_advice(4011), "\"shards\"");
    ASSERT_CONTAINS(dbot__gw_close_advice(4012), "v10");
    ASSERT_CONTAINS(dbot__gw_close_advice(4013), "\"intents\"");
    ASSERT_CONTAINS(dbot__gw_close_advice(4014), "Privileged Gateway Intents");
    ASSERT_CONTAINS(dbot__gw_close_advice(4014), "MESSAGE_CONTENT");
    ASSERT_STREQ(dbot__gw_close_name(4009), "session timed out");
    ASSERT_STREQ(dbot__gw_close_name(1000), "normal closure");
    ASSERT_STREQ(dbot__gw_close_name(4999), "unknown close code");

    ASSERT_EQ(dbot__gw_close_errno(4004), DBOT_EAUTH);
    ASSERT_EQ(dbot__gw_close_errno(4013), DBOT_EINTENTS);
    ASSERT_EQ(dbot__gw_close_errno(4014), DBOT_EINTENTS);
    ASSERT_EQ(dbot__gw_close_errno(4010), DBOT_EFATAL);
    ASSERT_EQ(dbot__gw_close_errno(4011), DBOT_EFATAL);
    ASSERT_EQ(dbot__gw_close_errno(4012), DBOT_EFATAL);
}

TEST(backoff_bounds)
{
    /* cap doubles from min to max; the delay is in [cap/2, cap). */
    int64_t caps[] = { 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000 };

    for (int a = 0; a < 8; a++) {
        int64_t lo = dbot__backoff_ms(a, 1000, 60000, 0.0);
        int64_t hi = dbot__backoff_ms(a, 1000, 60000, 0.999999);
        int64_t mid = dbot__backoff_ms(a, 1000, 60000, 0.5);
        ASSERT_EQ(lo, caps[a] / 2);
        ASSERT_LE(hi, caps[a]);
        ASSERT_GE(hi, caps[a] - 1);
        ASSERT_EQ(mid, caps[a] / 2 + caps[a] / 4);
    }
    /* Huge attempts never overflow. */
    ASSERT_EQ(dbot__backoff_ms(1000000, 1000, 60000, 0.0), 30000);
    ASSERT_LE(dbot__backoff_ms(63, 1, INT64_MAX / 2, 0.9), INT64_MAX / 2);
    ASSERT_GE(dbot__backoff_ms(63, 1, INT64_MAX / 2, 0.9), 0);
    /* Odd inputs are clamped, not trusted. */
    ASSERT_EQ(dbot__backoff_ms(0, 1000, 500, 0.0), 500); /* max < min */
    ASSERT_EQ(dbot__backoff_ms(0, 0, 0, 0.0), 0);        /* min clamps to 1 */
    ASSERT_LE(dbot__backoff_ms(0, 1000, 60000, 7.0), 1000);
    ASSERT_EQ(dbot__backoff_ms(0, 1000, 60000, -1.0), 500);
    ASSERT_EQ(dbot__backoff_ms(0, 1000, 60000, NAN), 500);
    ASSERT_EQ(dbot__backoff_ms(-5, 1000, 60000, 0.0), 500);
}

TEST(sendlimit_reserves_heartbeat_slots)
{
    struct dbot__sendlimit sl;
    int64_t t = 1000000;

    dbot__sendlimit_init(&sl, 120, 3, 60000);
    /* 117 ordinary sends fit in the window. */
    for (int i = 0; i < 117; i++) {
        ASSERT_EQ(dbot__sendlimit_wait(&sl, t + i, 0), 0);
        dbot__sendlimit_record(&sl, t + i);
    }
    /* The 118th ordinary send must wait until the first one expires... */
    ASSERT_EQ(dbot__sendlimit_wait(&sl, t + 200, 0), 60000 - 200);
    /* ...but heartbeats still have their 3 slots. */
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ(dbot__sendlimit_wait(&sl, t + 300 + i, 1), 0);
        dbot__sendlimit_record(&sl, t + 300 + i);
    }
    /* 120 in the window: even a heartbeat waits now. */
    ASSERT_EQ(dbot__sendlimit_wait(&sl, t + 400, 1), 60000 - 400);
    /* An ordinary send needs 4 expiries (120 -> 116 < 117). */
    ASSERT_EQ(dbot__sendlimit_wait(&sl, t + 400, 0), 60000 + 3 - 400);
    /* Exactly one window after the first send, it has expired. */
    ASSERT_EQ(dbot__sendlimit_wait(&sl, t + 60000, 1), 0);
    ASSERT_EQ(dbot__sendlimit_wait(&sl, t + 60000, 0), 3);
    ASSERT_EQ(dbot__sendlimit_wait(&sl, t + 60003, 0), 0);
    /* Long after, everything is free again. */
    ASSERT_EQ(dbot__sendlimit_wait(&sl, t + 1000000, 0), 0);
}

TEST(sendlimit_sliding_window_never_exceeds_limit)
{
    struct dbot__sendlimit sl;
    int64_t sent[4000];
    int n = 0;
    int64_t now = 0;

    dbot__sendlimit_init(&sl, 120, 3, 60000);
    /* A greedy sender that sends whenever allowed, heartbeats every 41 s. */
    while (now < 300000 && n < 4000) {
        int hb = now % 41000 == 0;
        int64_t w = dbot__sendlimit_wait(&sl, now, hb);
        if (w == 0) {
            dbot__sendlimit_record(&sl, now);
            sent[n++] = now;
        } else {
            ASSERT_GE(w, 1);
        }
        now += 10;
    }
    /* No 60 s window ever holds more than 120 sends. */
    for (int i = 0, j = 0; i < n; i++) {
        while (sent[i] - sent[j] >= 60000)
            j++;
        ASSERT_LE(i - j + 1, 120);
    }
    ASSERT_GE(n, 5 * 117 - 10);
}

TEST(sendlimit_init_clamps)
{
    struct dbot__sendlimit sl;

    dbot__sendlimit_init(&sl, 1000, 2000, 0);
    ASSERT_EQ(sl.limit, 128);
    ASSERT_EQ(sl.reserve, 127);
    ASSERT_EQ(sl.window_ms, 1);
    dbot__sendlimit_init(&sl, 0, -1, 100);
    ASSERT_EQ(sl.limit, 1);
    ASSERT_EQ(sl.reserve, 0);
    ASSERT_EQ(dbot__sendlimit_wait(&sl, 5, 0), 0);
    dbot__sendlimit_record(&sl, 5);
    ASSERT_EQ(dbot__sendlimit_wait(&sl, 5, 0), 100);
    ASSERT_EQ(dbot__sendlimit_wait(&sl, 105, 0), 0);
}

int
main(void)
{
    RUN(parse_valid_frames);
    RUN(parse_invalid_frames);
    RUN(heartbeat_json);
    RUN(identify_json);
    RUN(identify_with_bad_presence_goes_out_without_it);
    RUN(resume_json);
    RUN(close_code_table);
    RUN(backoff_bounds);
    RUN(sendlimit_reserves_heartbeat_slots);
    RUN(sendlimit_sliding_window_never_exceeds_limit);
    RUN(sendlimit_init_clamps);
    return 0;
}
