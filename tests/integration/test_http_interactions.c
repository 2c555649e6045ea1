/*
 * test_http_interactions.c: interactions over HTTP (interactions_listen),
 * against the fake Discord acting as Discord does for an Interactions
 * Endpoint URL: signed POSTs, the HTTP answer as the initial response,
 * edits and followups through REST.
 *
 * What is checked: a PING gets {"type":1}; a signed interaction reaches
 * the same handler a gateway one does, which sees DBOT_TRANSPORT_HTTP, and
 * its reply is the HTTP answer; every bad request (tampered body or
 * timestamp, stale or future timestamp, wrong key, missing headers,
 * oversize body, malformed JSON, a replayed id, wrong path, wrong method)
 * gets its status and reaches no handler; a handler that does not answer
 * is deferred inside 3 s through the HTTP answer and its late reply lands
 * as an edit of @original; a reply after the client hung up fails with
 * DBOT_ETRANSPORT; a client that stalls mid-request is closed at
 * interactions_timeout_ms while others are served; an HTTP-only bot (gateway
 * false) opens no websocket, is healthy, and /metrics counts the listener's
 * answers.
 */
#include "harness.h"
#include "service_probe.h"

#include "../prom.h"

#include <dbot/interaction.h>

#include <time.h>

static struct harness H;
static atomic_int handler_runs;
static atomic_int saw_transport = -1;
static dbot_interaction *held;
static atomic_int late_rc = 1;
static int ix_port, http_port;
static char ix_url[128];

static int
on_ping(dbot_interaction *ix, void *data)
{
    (void)data;
    atomic_fetch_add(&handler_runs, 1);
    atomic_store(&saw_transport, dbot_interaction_transport(ix));
    return dbot_interaction_reply(ix, "pong");
}

/* Answers nothing now: keeps a reference for the test to reply later. */
static int
on_hold(dbot_interaction *ix, void *data)
{
    (void)data;
    atomic_fetch_add(&handler_runs, 1);
    held = dbot_interaction_ref(ix);
    return 0;
}

static void
reply_held(dbot *bot, void *arg)
{
    (void)bot;
    atomic_store(&late_rc, dbot_interaction_reply(held, arg));
    dbot_interaction_unref(held);
    held = NULL;
}

/* A reply with a file: multipart through REST, even over HTTP. */
static int
on_file(dbot_interaction *ix, void *data)
{
    static const dbot_rest_file f = { .filename = "a.txt",
                                      .content_type = "text/plain",
                                      .data = "hello",
                                      .len = 5 };
    cJSON *msg = cJSON_CreateObject();
    int rc;

    (void)data;
    atomic_fetch_add(&handler_runs, 1);
    cJSON_AddStringToObject(msg, "content", "see the file");
    rc = dbot_interaction_reply_files(ix, msg, &f, 1);
    cJSON_Delete(msg);
    return rc;
}

static void
setup(dbot *bot, void *arg)
{
    (void)arg;
    ASSERT_EQ(dbot_on_command(bot, "ping", on_ping, NULL), 0);
    ASSERT_EQ(dbot_on_command(bot, "file", on_file, NULL), 0);
    ASSERT_EQ(dbot_on_command(bot, "hold", on_hold, NULL), 0);
}

/* The number after `prefix` in the captured logs. */
static int
port_from_log(const char *prefix)
{
    const char *line;
    int port = -1;

    ASSERT_TRUE(h_log_wait(prefix, check_timeout_ms_(10000)));
    pthread_mutex_lock(&h_log_mu);
    line = strstr(h_logs, prefix);
    sscanf(line + strlen(prefix), "%d", &port);
    pthread_mutex_unlock(&h_log_mu);
    ASSERT_TRUE(port > 0);
    return port;
}

/* A bot with the endpoint on 127.0.0.1 (and /healthz), `extra` more
 * config; gateway 0 makes it HTTP-only. */
static void
start(int gateway, const char *extra)
{
    char cfg[1024];

    memset(&H, 0, sizeof H);
    pthread_mutex_init(&H.mu, NULL);
    dbot_log_set_sink(h_log_sink, NULL);
    h_log_reset();
    atomic_store(&handler_runs, 0);
    h_start_fake(&H, NULL);
    snprintf(cfg, sizeof cfg,
             ",\"interactions_listen\":\"127.0.0.1:0\",\"public_key\":\"%s\","
             "\"http_listen\":\"127.0.0.1:0\",\"gateway\":%s%s",
             fakecord_public_key(H.fc), gateway ? "true" : "false", extra);
    h_new_bot(&H, cfg);
    setup(H.bot, NULL);
    h_run_bot(&H);
    ix_port = port_from_log("Interactions Endpoint: POST /interactions on "
                            "port ");
    http_port = port_from_log("serving /healthz and /metrics on 127.0.0.1:");
    snprintf(ix_url, sizeof ix_url, "http://127.0.0.1:%d/interactions",
             ix_port);
}

static void
finish(void)
{
    char *v = fakecord_violations(H.fc);

    ASSERT_STREQ(v, "");
    free(v);
    ASSERT_EQ(h_finish(&H, 1), 0);
    h_teardown(&H);
}

/* A command interaction as Discord sends it, with its own id. */
static char *
command_body(uint64_t id, const char *name)
{
    char *b = malloc(512);

    snprintf(b, 512,
             "{\"id\":\"%llu\",\"application_id\":\"%s\",\"type\":2,"
             "\"token\":\"tok-%llu\",\"version\":1,\"channel_id\":\"1\","
             "\"guild_id\":\"2\",\"member\":{\"user\":{\"id\":\"3\","
             "\"username\":\"u\"}},\"data\":{\"id\":\"4\",\"name\":\"%s\","
             "\"type\":1}}",
             (unsigned long long)id, FAKECORD_APP_ID, (unsigned long long)id,
             name);
    return b;
}

/* POST p (url defaulted) and return the status; the body in *body. */
static int
post(struct fakecord_post p, char **body)
{
    struct fakecord_answer a;

    if (!p.url)
        p.url = ix_url;
    fakecord_post_signed(H.fc, &p, &a);
    if (body)
        *body = a.body;
    else
        free(a.body);
    return a.status;
}

static const char *
jstr(const cJSON *o, const char *k1, const char *k2)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k1);

    if (k2)
        v = cJSON_GetObjectItemCaseSensitive(v, k2);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static struct fakecord_ix_log
ixlog_wait(uint64_t id, int callbacks, int edits)
{
    WAIT_UNTIL(h_ix_callbacks(&H, id) >= callbacks &&
                   h_ix_edits(&H, id) >= edits,
               10000);
    return h_ix_log(&H, id);
}

/* The fake, as Discord with the endpoint set, POSTs /name to the bot. */
static uint64_t
push_command(const char *name)
{
    char json[256];
    uint64_t id;

    ASSERT_EQ(fakecord_set_interactions_endpoint(H.fc, ix_url), 0);
    snprintf(json, sizeof json,
             "{\"type\":2,\"channel_id\":\"1\",\"data\":{\"name\":\"%s\","
             "\"type\":1}}",
             name);
    id = fakecord_push_interaction(H.fc, json);
    ASSERT_TRUE(id != 0);
    return id;
}

TEST(ping_is_answered_pong)
{
    char *body;

    start(1, "");
    ASSERT_EQ(post((struct fakecord_post){ .body = "{\"type\":1}" }, &body),
              200);
    ASSERT_STREQ(body, "{\"type\":1}");
    free(body);
    ASSERT_EQ(atomic_load(&handler_runs), 0);
    finish();
}

/* Pushed by the fake to the endpoint: the handler runs as for the
 * gateway, knows the transport, and its reply is the HTTP answer. */
TEST(signed_interaction_reaches_the_handler)
{
    struct fakecord_ix_log l;
    uint64_t id;

    start(1, "");
    id = push_command("ping");
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.callback_status, 200);
    ASSERT_EQ(l.callback_type, 4);
    ASSERT_STREQ(jstr(l.callback_body, "data", "content"), "pong");
    ASSERT_LE(l.callback_ms, 3000);
    fakecord_ix_log_free(&l);
    ASSERT_EQ(atomic_load(&handler_runs), 1);
    ASSERT_EQ(atomic_load(&saw_transport), DBOT_TRANSPORT_HTTP);
    /* The same event consumers see it: dbot_on("INTERACTION_CREATE"). */
    WAIT_UNTIL(h_count(&H, "INTERACTION_CREATE") == 1, 5000);
    finish();
}

/* Each bad request gets its status, and no handler runs. */
TEST(bad_requests_are_refused_before_any_handler)
{
    long long now = (long long)time(NULL);
    char big[6000], *b;
    uint64_t id = 900000;

    start(1, ",\"interactions_max_body\":4096,"
             "\"interactions_freshness_s\":60");
#define BODY() (free(b), b = command_body(++id, "ping"))
    b = NULL;
    BODY();
    ASSERT_EQ(post((struct fakecord_post){ .body = b, .tamper_body = 1 }, NULL),
              401);
    ASSERT_EQ(post((struct fakecord_post){ .body = b, .tamper_ts = 1 }, NULL),
              401);
    ASSERT_EQ(
        post((struct fakecord_post){ .body = b, .timestamp = now - 600 }, NULL),
        401);
    ASSERT_EQ(
        post((struct fakecord_post){ .body = b, .timestamp = now + 600 }, NULL),
        401);
    ASSERT_EQ(post((struct fakecord_post){ .body = b, .wrong_key = 1 }, NULL),
              401);
    ASSERT_EQ(
        post((struct fakecord_post){ .body = b, .no_signature = 1 }, NULL),
        401);
    ASSERT_EQ(
        post((struct fakecord_post){ .body = b, .no_timestamp = 1 }, NULL),
        401);
    memset(big, ' ', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big, "{\"type\":2}", 10);
    ASSERT_EQ(post((struct fakecord_post){ .body = big }, NULL), 413);
    ASSERT_EQ(
        post((struct fakecord_post){ .body = "{\"id\":\"1\",\"type\":" }, NULL),
        400);
    ASSERT_EQ(post((struct fakecord_post){ .body = "[1,2,3]" }, NULL), 400);
    ASSERT_EQ(post((struct fakecord_post){ .body = b, .path = "/other" }, NULL),
              404);
    ASSERT_EQ(post((struct fakecord_post){ .body = "", .method = "GET" }, NULL),
              405);
    ASSERT_EQ(atomic_load(&handler_runs), 0);
    /* The same request, well signed, runs once; its replay does not. */
    ASSERT_EQ(post((struct fakecord_post){ .body = b }, NULL), 200);
    ASSERT_EQ(atomic_load(&handler_runs), 1);
    ASSERT_EQ(post((struct fakecord_post){ .body = b }, NULL), 409);
    ASSERT_EQ(atomic_load(&handler_runs), 1);
    free(b);
#undef BODY
    /* /metrics reports the listener. */
    {
        char *m = NULL;

        ASSERT_EQ(http_get(http_port, "/metrics", &m), 200);
        ASSERT_TRUE(prom_check(m) == NULL);
        ASSERT_EQ(prom_value(m, "dbot_interactions_verify_failures_total{"
                                "reason=\"bad\"}"),
                  3);
        ASSERT_EQ(prom_value(m, "dbot_interactions_verify_failures_total{"
                                "reason=\"stale\"}"),
                  2);
        ASSERT_EQ(prom_value(m, "dbot_interactions_verify_failures_total{"
                                "reason=\"missing\"}"),
                  2);
        ASSERT_EQ(prom_value(m, "dbot_interactions_http_responses_total{"
                                "status=\"413\"}"),
                  1);
        ASSERT_EQ(prom_value(m, "dbot_interactions_http_replays_total"), 1);
        ASSERT_EQ(
            prom_value(m, "dbot_interactions_http_response_seconds_count"), 1);
        free(m);
    }
    finish();
}

/* A reply with files cannot be the HTTP answer: it goes multipart to
 * .../callback and the request is answered 202 with no body (§3.5). */
TEST(reply_with_files_goes_through_rest)
{
    struct fakecord_ix_log l;
    uint64_t id;

    start(1, "");
    id = push_command("file");
    l = ixlog_wait(id, 1, 0);
    /* One callback, the REST one (204): the HTTP answer was the 202 the
     * fake does not count (any other would be a second one, or a
     * violation). */
    ASSERT_EQ(l.callbacks, 1);
    ASSERT_EQ(l.callback_type, 4);
    ASSERT_EQ(l.callback_status, 204);
    ASSERT_STREQ(jstr(l.callback_body, "data", "content"), "see the file");
    fakecord_ix_log_free(&l);
    ASSERT_EQ(atomic_load(&handler_runs), 1);
    finish();
}

/* The handler does not answer: the HTTP answer is the deferral, inside
 * 3 s; its late reply becomes an edit of @original through REST. */
TEST(slow_handler_is_deferred_and_its_answer_edits)
{
    struct fakecord_ix_log l;
    uint64_t id;

    start(1, "");
    atomic_store(&late_rc, 1);
    id = push_command("hold");
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.callback_status, 200);
    ASSERT_EQ(l.callback_type, 5);
    ASSERT_GE(l.callback_ms, 1900);
    ASSERT_LE(l.callback_ms, 3000);
    fakecord_ix_log_free(&l);
    ASSERT_EQ(dbot_post(H.bot, reply_held, "done at last"), 0);
    l = ixlog_wait(id, 1, 1);
    WAIT_UNTIL(atomic_load(&late_rc) != 1, 5000);
    ASSERT_EQ(atomic_load(&late_rc), 0);
    ASSERT_EQ(l.callbacks, 1);
    ASSERT_STREQ(jstr(l.last_edit, "content", NULL), "done at last");
    fakecord_ix_log_free(&l);
    finish();
}

/* The client (the proxy, Discord) hangs up before the handler answers:
 * the late reply fails with DBOT_ETRANSPORT, logged, and nothing leaks or
 * is sent elsewhere. */
TEST(client_gone_before_the_answer)
{
    char *b = command_body(950001, "hold");

    start(1, ",\"ack_deadline_ms\":0");
    atomic_store(&late_rc, 1);
    /* Gives up after 200 ms and closes: the handler holds the answer. */
    ASSERT_EQ(
        post((struct fakecord_post){ .body = b, .timeout_ms = 200 }, NULL), 0);
    free(b);
    ASSERT_EQ(atomic_load(&handler_runs), 1);
    /* The bot sees the close at once; give its loop a moment by waiting
     * on the open-connection gauge. */
    {
        char *m = NULL;
        long long dl = check_now_ms_() + check_timeout_ms_(5000);
        double open = 1;

        while (open != 0 && check_now_ms_() < dl) {
            free(m);
            m = NULL;
            ASSERT_EQ(http_get(http_port, "/metrics", &m), 200);
            open = prom_value(m, "dbot_interactions_connections");
        }
        free(m);
        ASSERT_EQ(open, 0);
    }
    ASSERT_EQ(dbot_post(H.bot, reply_held, "too late"), 0);
    WAIT_UNTIL(atomic_load(&late_rc) != 1, 5000);
    ASSERT_EQ(atomic_load(&late_rc), DBOT_ETRANSPORT);
    finish();
}

/* A client that sends half a request and stalls is closed at
 * interactions_timeout_ms, and meanwhile others are served. */
TEST(slow_client_is_cut_off)
{
    static const char half[] = "POST /interactions HTTP/1.1\r\nHost: x\r\n"
                               "Content-Length: 100\r\n\r\n{\"type\":";
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    long long t0, dl;
    char buf[256];
    ssize_t n = 1;

    start(1, ",\"interactions_timeout_ms\":3500");
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)ix_port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    t0 = check_now_ms_();
    ASSERT_EQ(send(fd, half, sizeof half - 1, MSG_NOSIGNAL),
              (ssize_t)(sizeof half - 1));
    ASSERT_EQ(post((struct fakecord_post){ .body = "{\"type\":1}" }, NULL),
              200);
    dl = t0 + check_timeout_ms_(15000);
    while (n > 0 && check_now_ms_() < dl) {
        struct pollfd p = { fd, POLLIN, 0 };

        if (poll(&p, 1, 100) > 0)
            n = recv(fd, buf, sizeof buf, 0);
    }
    ASSERT_TRUE(n <= 0);                   /* closed, nothing answered */
    ASSERT_GE(check_now_ms_() - t0, 3000); /* at its deadline, not before */
    close(fd);
    ASSERT_EQ(atomic_load(&handler_runs), 0);
    finish();
}

/* Stopping with a user waiting on an HTTP interaction: the HTTP answer
 * says the bot is restarting, and it is written before the bot exits. */
TEST(stop_answers_a_waiting_request)
{
    struct fakecord_ix_log l;
    uint64_t id;

    start(0, ",\"ack_deadline_ms\":0,\"shutdown_grace_ms\":200");
    id = push_command("hold");
    WAIT_UNTIL(atomic_load(&handler_runs) == 1, 10000);
    dbot_stop(H.bot);
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.callback_status, 200);
    ASSERT_EQ(l.callback_type, 4);
    ASSERT_CONTAINS(jstr(l.callback_body, "data", "content"), "restarting");
    fakecord_ix_log_free(&l);
    /* The handler's reference is never dropped: dbot_free frees it. */
    held = NULL;
    finish();
}

/* gateway false: no websocket, READY for systemd and healthy once
 * listening, answers as well. */
TEST(http_only_bot_opens_no_websocket)
{
    struct fakecord_ix_log l;
    struct fakecord_stats st;
    char *body = NULL, env[128];
    int fd = notify_bind(env, sizeof env), ready;
    uint64_t id;

    nmsgs = 0;
    setenv("NOTIFY_SOCKET", env, 1);
    start(0, "");
    /* READY=1 once listening, with no shard to wait for. */
    ready = notify_until(fd, "READY=1");
    ASSERT_CONTAINS(msgs[ready], "interactions on port");
    unsetenv("NOTIFY_SOCKET");
    close(fd);
    id = push_command("ping");
    l = ixlog_wait(id, 1, 0);
    ASSERT_EQ(l.callback_type, 4);
    fakecord_ix_log_free(&l);
    ASSERT_EQ(http_get(http_port, "/healthz", &body), 200);
    ASSERT_TRUE(strstr(body, "\"listening\":true") != NULL);
    free(body);
    fakecord_stats(H.fc, &st);
    ASSERT_EQ(st.connections, 0);
    ASSERT_EQ(st.identifies, 0);
    finish();
}

int
main(void)
{
    RUN(ping_is_answered_pong);
    RUN(signed_interaction_reaches_the_handler);
    RUN(bad_requests_are_refused_before_any_handler);
    RUN(slow_handler_is_deferred_and_its_answer_edits);
    RUN(reply_with_files_goes_through_rest);
    RUN(client_gone_before_the_answer);
    RUN(slow_client_is_cut_off);
    RUN(stop_answers_a_waiting_request);
    RUN(http_only_bot_opens_no_websocket);
    free(h_logs);
    return 0;
}
