/*
 * test_rest.c: the REST client (src/rest.c) against the fake Discord.
 *
 * The client's completions are delivered to a plain mutex queue that the
 * test thread drains (the test thread plays the loop thread). The
 * loop-lane tests (rest_lane.c) give the client a real loop (loop.c) as
 * well, which the test thread turns: callbacks are sent and answered
 * there. Every test ends by asserting the fake saw no rate-limit violation and
 * that the bot token never reached the log.
 */
#include "../check.h"
#include "fakecord.h"
#include "log.h"
#include "loop.h"
#include "rest.h"

#include <dbot/dbot.h>
#include <dbot/rest.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the "loop": a queue of tasks the test thread runs ----------------- */

struct task {
    struct task *next;
    dbot__task_fn fn;
    void *arg;
};

static pthread_mutex_t q_mu = PTHREAD_MUTEX_INITIALIZER;
static struct task *q_head, *q_tail;
static pthread_t loop_thread;

static int
deliver(void *ctx, dbot__task_fn fn, void *arg)
{
    struct task *t = malloc(sizeof *t);

    (void)ctx;
    if (!t)
        return DBOT_ENOMEM;
    t->next = NULL;
    t->fn = fn;
    t->arg = arg;
    pthread_mutex_lock(&q_mu);
    if (q_tail)
        q_tail->next = t;
    else
        q_head = t;
    q_tail = t;
    pthread_mutex_unlock(&q_mu);
    return 0;
}

/* The loop of the loop-lane tests, or NULL. */
static struct dbot__loop *lane_loop;
static struct dbot__timer lane_tick;

static void
lane_tick_fn(struct dbot__timer *t)
{
    (void)t;
}

/* Run queued tasks (after one turn of the lane's loop, bounded by a 5 ms
 * timer); returns 1 so it can sit in a WAIT_UNTIL condition. */
static int
pump(void)
{
    struct task *t;

    if (lane_loop) {
        dbot__loop_timer_arm(lane_loop, &lane_tick, 5);
        dbot__loop_turn(lane_loop);
    }

    pthread_mutex_lock(&q_mu);
    t = q_head;
    q_head = q_tail = NULL;
    pthread_mutex_unlock(&q_mu);
    while (t) {
        struct task *next = t->next;
        t->fn(t->arg);
        free(t);
        t = next;
    }
    return 1;
}

/* ---- results ------------------------------------------------------------ */

struct res {
    int calls;
    int status, err, code;
    char message[400];
    char body[256];
    size_t body_len;
    int has_json;
    int order;   /* completion order */
    int on_loop; /* callback ran on the test thread */
};

static int completions;

static void
on_done(const dbot_rest_result *r, void *ud)
{
    struct res *s = ud;

    s->calls++;
    s->status = r->status;
    s->err = r->err;
    s->code = r->discord_code;
    snprintf(s->message, sizeof s->message, "%s", r->message ? r->message : "");
    snprintf(s->body, sizeof s->body, "%s", r->body ? r->body : "(null)");
    s->body_len = r->body_len;
    s->has_json = r->json != NULL;
    s->order = completions++;
    s->on_loop = pthread_equal(pthread_self(), loop_thread);
}

static int
submit(struct dbot__rest *r, const char *method, const char *path,
       const char *body, struct res *s)
{
    struct dbot__rest_call c = { 0 };

    memset(s, 0, sizeof *s);
    c.method = method;
    c.path = path;
    c.body = body;
    c.body_len = body ? strlen(body) : 0;
    return dbot__rest_submit(r, &c, on_done, s);
}

#define WAIT_DONE(s, ms) WAIT_UNTIL((pump(), (s)->calls > 0), ms)

/* ---- log capture --------------------------------------------------------- */

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static char logbuf[1 << 16];
static size_t loglen;

static void
sink(const char *line, size_t len, void *data)
{
    (void)data;
    pthread_mutex_lock(&log_mu);
    if (loglen + len < sizeof logbuf) {
        memcpy(logbuf + loglen, line, len);
        loglen += len;
        logbuf[loglen] = '\0';
    }
    pthread_mutex_unlock(&log_mu);
    fwrite(line, 1, len, stderr);
}

/* ---- fixture ------------------------------------------------------------ */

static fakecord *fc;
static struct dbot__rest *rest;

static void
setup_with(const struct dbot__rest_opts *extra, const char *token)
{
    struct dbot__rest_opts o = { 0 };

    fc = fakecord_start(NULL);
    ASSERT_TRUE(fc != NULL);
    if (extra)
        o = *extra;
    o.api_url = fakecord_api_url(fc);
    o.token = token ? token : FAKECORD_TOKEN;
    o.retry_base_ms = o.retry_base_ms ? o.retry_base_ms : 20;
    o.loop = lane_loop;
    rest = dbot__rest_new(&o, deliver, NULL);
    ASSERT_TRUE(rest != NULL);
}

static void
setup(void)
{
    setup_with(NULL, NULL);
}

/* The raw-token check: the log sink receives lines after redaction, so
 * look for the token and for the header that would carry it. */
static void
teardown(void)
{
    struct fakecord_stats st;
    char *v;

    dbot__rest_free(rest);
    rest = NULL;
    pump();
    fakecord_stats(fc, &st);
    v = fakecord_violations(fc);
    if (st.violations)
        fprintf(stderr, "violations:\n%s\n", v);
    ASSERT_EQ(st.violations, 0);
    free(v);
    fakecord_stop(fc);
    fc = NULL;
    pthread_mutex_lock(&log_mu);
    ASSERT_NOT_CONTAINS(logbuf, "Authorization");
    ASSERT_NOT_CONTAINS(logbuf, "Bot " FAKECORD_TOKEN);
    pthread_mutex_unlock(&log_mu);
}

static int
count_requests(const char *method, const char *path_prefix)
{
    struct fakecord_request *reqs;
    int n = fakecord_requests(fc, &reqs), c = 0;

    for (int i = 0; i < n; i++)
        if ((!method || !strcmp(reqs[i].method, method)) &&
            !strncmp(reqs[i].path, path_prefix, strlen(path_prefix)))
            c++;
    fakecord_requests_free(reqs, n);
    return c;
}

/* ---- tests -------------------------------------------------------------- */

TEST(get_sends_headers_and_parses_json)
{
    struct res s;
    struct fakecord_request *reqs;
    int n;

    setup();
    ASSERT_EQ(submit(rest, "GET", "/users/@me", NULL, &s), 0);
    WAIT_DONE(&s, 5000);
    ASSERT_EQ(s.calls, 1);
    ASSERT_EQ(s.on_loop, 1);
    ASSERT_EQ(s.status, 200);
    ASSERT_EQ(s.err, 0);
    ASSERT_EQ(s.has_json, 1);
    ASSERT_CONTAINS(s.body, FAKECORD_BOT_USERNAME);
    n = fakecord_requests(fc, &reqs);
    ASSERT_EQ(n, 1);
    ASSERT_STREQ(reqs[0].authorization, "Bot " FAKECORD_TOKEN);
    ASSERT_STREQ(reqs[0].user_agent,
                 "DiscordBot (https://github.com/dbot-dev/dbot, 0.1.0)");
    fakecord_requests_free(reqs, n);
    teardown();
}

TEST(post_json_and_audit_reason)
{
    struct res s;
    struct dbot__rest_call c = { 0 };
    struct fakecord_request *reqs;
    const char *body = "{\"content\":\"hello\"}";
    int n;

    setup();
    c.method = "POST";
    c.path = "/channels/100/messages";
    c.body = body;
    c.body_len = strlen(body);
    c.reason = "spam cleanup: äöü/?&";
    memset(&s, 0, sizeof s);
    ASSERT_EQ(dbot__rest_submit(rest, &c, on_done, &s), 0);
    WAIT_DONE(&s, 5000);
    ASSERT_EQ(s.status, 200);
    ASSERT_EQ(s.err, 0);
    n = fakecord_requests(fc, &reqs);
    ASSERT_EQ(n, 1);
    ASSERT_STREQ(reqs[0].content_type, "application/json");
    /* The caller's JSON as written, made idempotent with a nonce. */
    ASSERT_EQ(strncmp((char *)reqs[0].body, "{\"nonce\":\"", 10), 0);
    ASSERT_CONTAINS((char *)reqs[0].body,
                    "\",\"enforce_nonce\":true,\"content\":\"hello\"}");
    ASSERT_STREQ(reqs[0].audit_reason,
                 "spam%20cleanup%3A%20%C3%A4%C3%B6%C3%BC%2F%3F%26");
    fakecord_requests_free(reqs, n);
    teardown();
}

TEST(bad_calls_are_refused_without_callback)
{
    struct res s;

    setup();
    ASSERT_EQ(submit(rest, "BREW", "/users/@me", NULL, &s), DBOT_EINVAL);
    ASSERT_EQ(submit(rest, "GET", "users/@me", NULL, &s), DBOT_EINVAL);
    ASSERT_EQ(submit(rest, "GET", "/a\r\nX-Evil: 1", NULL, &s), DBOT_EINVAL);
    pump();
    ASSERT_EQ(s.calls, 0);
    teardown();
}

/* Two routes with one hash on one channel: the client must learn they
 * share the bucket and never overrun it. */
TEST(bucket_discovery_and_sharing)
{
    struct res s[10];
    char path[64];
    struct fakecord_stats st;

    setup();
    ASSERT_EQ(fakecord_rest_limit(fc, "POST", "/channels/{channel_id}/messages",
                                  "shr", 2, 400),
              0);
    ASSERT_EQ(fakecord_rest_limit(fc, "GET", "/channels/{channel_id}/messages",
                                  "shr", 2, 400),
              0);
    for (int i = 0; i < 10; i++) {
        snprintf(path, sizeof path, "/channels/7/messages");
        ASSERT_EQ(submit(rest, i % 2 ? "GET" : "POST", path,
                         i % 2 ? NULL : "{\"content\":\"x\"}", &s[i]),
                  0);
    }
    for (int i = 0; i < 10; i++)
        WAIT_DONE(&s[i], 10000);
    for (int i = 0; i < 10; i++) {
        ASSERT_EQ(s[i].calls, 1);
        /* GET messages is not served by the fake: a 404 with headers. */
        ASSERT_EQ(s[i].status, i % 2 ? 404 : 200);
    }
    fakecord_stats(fc, &st);
    ASSERT_EQ(st.rest_429s, 0);
    ASSERT_EQ(count_requests(NULL, "/api/v10/channels/7/"), 10);
    teardown();
}

/* Channels are major parameters: a busy channel does not slow another. */
TEST(major_parameters_separate_buckets)
{
    struct res a[3], b;
    struct fakecord_request *reqs;
    int64_t ta[3] = { -1, -1, -1 }, t_b = -1;
    int n, ka = 0;

    setup();
    ASSERT_EQ(fakecord_rest_limit(fc, "POST", "/channels/{channel_id}/messages",
                                  "m", 1, 600),
              0);
    for (int i = 0; i < 3; i++)
        ASSERT_EQ(submit(rest, "POST", "/channels/1/messages",
                         "{\"content\":\"a\"}", &a[i]),
                  0);
    ASSERT_EQ(
        submit(rest, "POST", "/channels/2/messages", "{\"content\":\"b\"}", &b),
        0);
    for (int i = 0; i < 3; i++)
        WAIT_DONE(&a[i], 10000);
    WAIT_DONE(&b, 5000);
    ASSERT_EQ(b.status, 200);
    n = fakecord_requests(fc, &reqs);
    for (int i = 0; i < n; i++) {
        if (strstr(reqs[i].path, "/channels/1/") && ka < 3)
            ta[ka++] = reqs[i].t_ms;
        else if (strstr(reqs[i].path, "/channels/2/"))
            t_b = reqs[i].t_ms;
    }
    fakecord_requests_free(reqs, n);
    ASSERT_EQ(ka, 3);
    /* Channel 1 gets one message per window... */
    ASSERT_GE(ta[1] - ta[0], 600);
    ASSERT_GE(ta[2] - ta[1], 600);
    /* ...while channel 2, queued last, does not wait for it. */
    ASSERT_TRUE(t_b >= 0);
    ASSERT_TRUE(t_b < ta[1]);
    teardown();
}

TEST(route_429_waits_retry_after_and_succeeds)
{
    struct res s, o;
    struct fakecord_request *reqs;
    struct dbot__rest_stats rs;
    int n;

    setup();
    ASSERT_EQ(fakecord_rest_fail(fc, "POST", "/channels/5/messages", 429, 1,
                                 "{\"message\":\"You are being rate "
                                 "limited.\",\"retry_after\":0.3,"
                                 "\"global\":false}",
                                 "X-RateLimit-Scope: user\r\n"),
              0);
    ASSERT_EQ(
        submit(rest, "POST", "/channels/5/messages", "{\"content\":\"x\"}", &s),
        0);
    ASSERT_EQ(submit(rest, "GET", "/users/@me", NULL, &o), 0);
    WAIT_DONE(&o, 5000); /* another route is not held up */
    WAIT_DONE(&s, 5000);
    ASSERT_EQ(s.status, 200);
    ASSERT_EQ(s.err, 0);
    ASSERT_LE(o.order, s.order);
    n = fakecord_requests(fc, &reqs);
    {
        int64_t t0 = -1, t1 = -1;
        for (int i = 0; i < n; i++)
            if (strstr(reqs[i].path, "/channels/5/")) {
                if (t0 < 0)
                    t0 = reqs[i].t_ms;
                else
                    t1 = reqs[i].t_ms;
            }
        ASSERT_GE(t1 - t0, 300);
    }
    fakecord_requests_free(reqs, n);
    dbot__rest_stats(rest, &rs);
    ASSERT_EQ(rs.limited, 1);
    teardown();
}

TEST(global_429_pauses_other_routes)
{
    struct dbot__rest_stats rs;
    struct res s, o;
    struct fakecord_request *reqs;
    int64_t t_first = -1, t_other = -1;
    int n;

    setup();
    ASSERT_EQ(fakecord_rest_fail(fc, "GET", "/users/@me", 429, 1,
                                 "{\"message\":\"You are being rate "
                                 "limited.\",\"retry_after\":0.4,"
                                 "\"global\":true}",
                                 "X-RateLimit-Global: true\r\n"
                                 "X-RateLimit-Scope: global\r\n"),
              0);
    ASSERT_EQ(submit(rest, "GET", "/users/@me", NULL, &s), 0);
    /* Wait until the client has seen the 429, then ask another route. */
    WAIT_UNTIL((dbot__rest_stats(rest, &rs), rs.limited >= 1), 5000);
    ASSERT_EQ(
        submit(rest, "POST", "/channels/8/messages", "{\"content\":\"y\"}", &o),
        0);
    WAIT_DONE(&s, 5000);
    WAIT_DONE(&o, 5000);
    ASSERT_EQ(s.status, 200);
    ASSERT_EQ(o.status, 200);
    n = fakecord_requests(fc, &reqs);
    for (int i = 0; i < n; i++) {
        if (strstr(reqs[i].path, "/users/@me") && t_first < 0)
            t_first = reqs[i].t_ms;
        if (strstr(reqs[i].path, "/channels/8/"))
            t_other = reqs[i].t_ms;
    }
    fakecord_requests_free(reqs, n);
    ASSERT_GE(t_other - t_first, 400);
    teardown();
}

TEST(global_limit_is_respected)
{
    struct dbot__rest_opts o = { 0 };
    static struct res s[45];
    char path[64];
    struct fakecord_stats st;

    o.global_per_sec = 20; /* exactly what the fake allows */
    setup_with(&o, NULL);
    ASSERT_EQ(fakecord_rest_global_limit(fc, 20), 0);
    for (int i = 0; i < 45; i++) {
        snprintf(path, sizeof path, "/channels/%d/messages", 1000 + i);
        ASSERT_EQ(submit(rest, "POST", path, "{\"content\":\"g\"}", &s[i]), 0);
    }
    for (int i = 0; i < 45; i++)
        WAIT_DONE(&s[i], 10000);
    for (int i = 0; i < 45; i++)
        ASSERT_EQ(s[i].status, 200);
    fakecord_stats(fc, &st);
    ASSERT_EQ(st.rest_429s, 0);
    teardown();
}

TEST(server_errors_retried_for_idempotent_methods)
{
    struct res s, f, p;
    struct dbot__rest_stats rs;

    setup();
    /* Two 502s, then success. */
    ASSERT_EQ(fakecord_rest_fail(fc, "GET", "/users/@me", 502, 2, NULL, NULL),
              0);
    ASSERT_EQ(submit(rest, "GET", "/users/@me", NULL, &s), 0);
    WAIT_DONE(&s, 5000);
    ASSERT_EQ(s.status, 200);
    ASSERT_EQ(s.err, 0);
    ASSERT_EQ(count_requests("GET", "/api/v10/users/@me"), 3);
    dbot__rest_stats(rest, &rs);
    ASSERT_EQ(rs.retries, 2);

    /* Always 500: fails after 1 + 3 attempts with a clear error. */
    ASSERT_EQ(
        fakecord_rest_fail(fc, "GET", "/applications/@me", 500, -1, NULL, NULL),
        0);
    ASSERT_EQ(submit(rest, "GET", "/applications/@me", NULL, &f), 0);
    WAIT_DONE(&f, 10000);
    ASSERT_EQ(f.status, 500);
    ASSERT_EQ(f.err, DBOT_EHTTP);
    ASSERT_CONTAINS(f.message, "GET /applications/@me");
    ASSERT_CONTAINS(f.message, "after 4 attempts");
    ASSERT_EQ(f.code, 0); /* the fake's default error body has code 0 */
    ASSERT_EQ(count_requests("GET", "/api/v10/applications/@me"), 4);

    /* Executing a webhook is not idempotent: one attempt. */
    ASSERT_EQ(
        fakecord_rest_fail(fc, "POST", "/webhooks/3/", 500, 1, NULL, NULL), 0);
    ASSERT_EQ(
        submit(rest, "POST", "/webhooks/3/dG9r", "{\"content\":\"z\"}", &p), 0);
    WAIT_DONE(&p, 5000);
    ASSERT_EQ(p.status, 500);
    ASSERT_EQ(p.err, DBOT_EHTTP);
    ASSERT_EQ(count_requests("POST", "/api/v10/webhooks/3/"), 1);
    teardown();
}

/* Interaction callbacks: no bot token sent, retried on 5xx only within
 * the 3-second deadline. The fake's scripted answers stand in for the
 * route (an interaction would need a gateway session). */
TEST(interaction_callback_retries_within_deadline)
{
    struct dbot__rest_opts o = { 0 };
    struct fakecord_request *reqs;
    struct res s, f;
    const char *cb = "{\"type\":4,\"data\":{\"content\":\"pong\"}}";
    long long t0;
    int n;

    o.retry_base_ms = 100;
    setup_with(&o, NULL);
    ASSERT_EQ(
        fakecord_rest_fail(fc, "POST", "/interactions/11/", 502, 2, NULL, NULL),
        0);
    ASSERT_EQ(
        fakecord_rest_fail(fc, "POST", "/interactions/11/", 200, 1, "{}", NULL),
        0);
    ASSERT_EQ(submit(rest, "POST", "/interactions/11/aW50ZXJhY3Rpb24/callback",
                     cb, &s),
              0);
    WAIT_DONE(&s, 5000);
    ASSERT_EQ(s.status, 200);
    ASSERT_EQ(s.err, 0);
    n = fakecord_requests(fc, &reqs);
    ASSERT_EQ(n, 3);
    for (int i = 0; i < n; i++) {
        ASSERT_STREQ(reqs[i].authorization, "");
        ASSERT_STREQ((char *)reqs[i].body, cb);
    }
    fakecord_requests_free(reqs, n);

    /* Always failing: the client gives up before the deadline. */
    ASSERT_EQ(fakecord_rest_fail(fc, "POST", "/interactions/12/", 503, -1, NULL,
                                 NULL),
              0);
    t0 = check_now_ms_();
    ASSERT_EQ(submit(rest, "POST", "/interactions/12/dG9rZW4/callback", cb, &f),
              0);
    WAIT_DONE(&f, 5000);
    ASSERT_EQ(f.status, 503);
    ASSERT_EQ(f.err, DBOT_EHTTP);
    ASSERT_LE(check_now_ms_() - t0, check_timeout_ms_(3000));
    ASSERT_NOT_CONTAINS(f.message, "dG9rZW4"); /* no token in messages */
    teardown();
}

TEST(unauthorized_is_not_retried)
{
    struct res s;

    pthread_mutex_lock(&log_mu);
    loglen = 0;
    logbuf[0] = '\0';
    pthread_mutex_unlock(&log_mu);
    setup_with(NULL, "wrong-token-value");
    ASSERT_EQ(submit(rest, "GET", "/users/@me", NULL, &s), 0);
    WAIT_DONE(&s, 5000);
    ASSERT_EQ(s.status, 401);
    ASSERT_EQ(s.err, DBOT_EAUTH);
    ASSERT_EQ(s.has_json, 1);
    ASSERT_CONTAINS(s.message, "check the token");
    ASSERT_EQ(count_requests(NULL, "/api/v10/"), 1);
    pthread_mutex_lock(&log_mu);
    ASSERT_CONTAINS(logbuf, "check the token");
    ASSERT_NOT_CONTAINS(logbuf, "wrong-token-value");
    pthread_mutex_unlock(&log_mu);
    teardown();
}

static const unsigned char *
find_bytes(const unsigned char *hay, size_t hn, const unsigned char *nd,
           size_t nn)
{
    return memmem(hay, hn, nd, nn);
}

TEST(multipart_bytes_intact)
{
    unsigned char blob[1024], fblob[3000];
    char tmpl[] = "/tmp/dbot_rest_upload_XXXXXX";
    dbot_rest_file files[2];
    struct dbot__rest_call c = { 0 };
    struct fakecord_request *reqs;
    const char *payload = "{\"content\":\"files\",\"attachments\":"
                          "[{\"id\":0,\"filename\":\"a.bin\"},"
                          "{\"id\":1,\"filename\":\"b.bin\"}]}";
    struct res s;
    int fd, n;

    for (size_t i = 0; i < sizeof blob; i++)
        blob[i] = (unsigned char)(i * 7 + (i >> 8));
    for (size_t i = 0; i < sizeof fblob; i++)
        fblob[i] = (unsigned char)(255 - i % 251);
    fd = mkstemp(tmpl);
    ASSERT_TRUE(fd >= 0);
    ASSERT_EQ(write(fd, fblob, sizeof fblob), (ssize_t)sizeof fblob);
    close(fd);
    setup();
    memset(files, 0, sizeof files);
    files[0].filename = "a.bin";
    files[0].data = blob;
    files[0].len = sizeof blob;
    files[1].filename = "b.bin";
    files[1].content_type = "image/png";
    files[1].path = tmpl;
    c.method = "POST";
    c.path = "/channels/42/messages";
    c.body = payload;
    c.body_len = strlen(payload);
    c.files = files;
    c.nfiles = 2;
    memset(&s, 0, sizeof s);
    ASSERT_EQ(dbot__rest_submit(rest, &c, on_done, &s), 0);
    memset(blob, 0, sizeof blob); /* the call copied it */
    WAIT_DONE(&s, 5000);
    ASSERT_EQ(s.status, 200);
    n = fakecord_requests(fc, &reqs);
    ASSERT_EQ(n, 1);
    ASSERT_CONTAINS(reqs[0].content_type, "multipart/form-data");
    for (size_t i = 0; i < sizeof blob; i++)
        blob[i] = (unsigned char)(i * 7 + (i >> 8));
    ASSERT_TRUE(find_bytes(reqs[0].body, reqs[0].body_len, blob, sizeof blob) !=
                NULL);
    ASSERT_TRUE(find_bytes(reqs[0].body, reqs[0].body_len, fblob,
                           sizeof fblob) != NULL);
    ASSERT_CONTAINS((char *)reqs[0].body, "name=\"payload_json\"");
    ASSERT_CONTAINS((char *)reqs[0].body,
                    "name=\"files[0]\"; filename=\"a.bin\"");
    ASSERT_TRUE(find_bytes(reqs[0].body, reqs[0].body_len,
                           (const unsigned char *)"name=\"files[1]\"; "
                                                  "filename=\"b.bin\"",
                           31) != NULL);
    /* payload_json is the caller's JSON after the nonce dbot adds. */
    ASSERT_TRUE(find_bytes(reqs[0].body, reqs[0].body_len,
                           (const unsigned char *)payload + 1,
                           strlen(payload) - 1) != NULL);
    ASSERT_CONTAINS((char *)reqs[0].body, "\"enforce_nonce\":true,");
    fakecord_requests_free(reqs, n);

    /* A missing file fails that request clearly; the client goes on. */
    unlink(tmpl);
    memset(&s, 0, sizeof s);
    ASSERT_EQ(dbot__rest_submit(rest, &c, on_done, &s), 0);
    WAIT_DONE(&s, 5000);
    ASSERT_EQ(s.err, DBOT_ENOENT);
    ASSERT_CONTAINS(s.message, "b.bin");
    ASSERT_EQ(submit(rest, "GET", "/users/@me", NULL, &s), 0);
    WAIT_DONE(&s, 5000);
    ASSERT_EQ(s.status, 200);
    teardown();
}

TEST(thousand_requests_complete_in_order)
{
    enum {
        N = 1000
    };
    static struct res s[N];
    struct dbot__rest_opts o = { 0 };
    char body[64];
    cJSON *msgs;

    o.global_per_sec = 100000; /* this test is about the queue, not 50/s */
    setup_with(&o, NULL);
    ASSERT_EQ(fakecord_rest_limit(fc, "POST", "/channels/{channel_id}/messages",
                                  "big", 100000, 60000),
              0);
    for (int i = 0; i < N; i++) {
        snprintf(body, sizeof body, "{\"content\":\"%d\"}", i);
        ASSERT_EQ(submit(rest, "POST", "/channels/77/messages", body, &s[i]),
                  0);
    }
    WAIT_UNTIL((pump(), s[N - 1].calls > 0), 60000);
    for (int i = 0; i < N; i++) {
        ASSERT_EQ(s[i].calls, 1);
        ASSERT_EQ(s[i].status, 200);
        if (i)
            ASSERT_EQ(s[i].order, s[i - 1].order + 1);
    }
    msgs = fakecord_messages(fc);
    ASSERT_EQ(cJSON_GetArraySize(msgs), N);
    for (int i = 0; i < N; i++) {
        const cJSON *m = cJSON_GetArrayItem(msgs, i);
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
        char want[16];

        snprintf(want, sizeof want, "%d", i);
        ASSERT_STREQ(content->valuestring, want);
    }
    cJSON_Delete(msgs);
    teardown();
}

TEST(bad_responses_give_clear_errors)
{
    struct dbot__rest_opts o = { 0 };
    struct fakecord_rest_rule rule = { 0 };
    struct res s;
    static char huge[300 * 1024];

    o.max_body_bytes = 64 * 1024;
    setup_with(&o, NULL);

    /* Not JSON. */
    ASSERT_EQ(fakecord_rest_fail(fc, "GET", "/users/@me", 200, 1,
                                 "<html>cloudflare says no</html>", NULL),
              0);
    ASSERT_EQ(submit(rest, "GET", "/users/@me", NULL, &s), 0);
    WAIT_DONE(&s, 5000);
    ASSERT_EQ(s.status, 200);
    ASSERT_EQ(s.err, DBOT_EJSON);
    ASSERT_CONTAINS(s.message, "not valid JSON");
    ASSERT_CONTAINS(s.body, "cloudflare");

    /* A Discord error: code and message reach the callback. */
    ASSERT_EQ(fakecord_rest_fail(fc, "POST", "/channels/4/messages", 403, 1,
                                 "{\"code\":50013,\"message\":\"Missing "
                                 "Permissions\"}",
                                 NULL),
              0);
    ASSERT_EQ(submit(rest, "POST", "/channels/4/messages", "{}", &s), 0);
    WAIT_DONE(&s, 5000);
    ASSERT_EQ(s.status, 403);
    ASSERT_EQ(s.err, DBOT_EHTTP);
    ASSERT_EQ(s.code, 50013);
    ASSERT_CONTAINS(s.message, "Missing Permissions");

    /* A 502 with an HTML body (on a route that is not retried). */
    ASSERT_EQ(fakecord_rest_fail(fc, "POST", "/webhooks/4/", 502, 1,
                                 "<html>bad gateway</html>", NULL),
              0);
    ASSERT_EQ(submit(rest, "POST", "/webhooks/4/dG9r", "{}", &s), 0);
    WAIT_DONE(&s, 5000);
    ASSERT_EQ(s.err, DBOT_EHTTP);
    ASSERT_CONTAINS(s.message, "HTTP 502 (body is not JSON)");

    /* Larger than max_body_bytes. */
    memset(huge, 'a', sizeof huge - 1);
    huge[0] = '"';
    huge[sizeof huge - 2] = '"';
    ASSERT_EQ(fakecord_rest_fail(fc, "GET", "/users/@me", 200, 1, huge, NULL),
              0);
    ASSERT_EQ(submit(rest, "GET", "/users/@me", NULL, &s), 0);
    WAIT_DONE(&s, 5000);
    ASSERT_EQ(s.err, DBOT_ETOOBIG);
    ASSERT_CONTAINS(s.message, "max_body_bytes");

    /* Truncated body and connection drop, on a webhook execution (not
     * retried: it may have taken effect). */
    rule.method = "POST";
    rule.path_prefix = "/webhooks/4/";
    rule.count = 1;
    rule.truncate = 1;
    ASSERT_EQ(fakecord_rest_script(fc, &rule), 0);
    ASSERT_EQ(submit(rest, "POST", "/webhooks/4/dG9r", "{}", &s), 0);
    WAIT_DONE(&s, 5000);
    ASSERT_EQ(s.status, 0);
    ASSERT_EQ(s.err, DBOT_ETRANSPORT);
    ASSERT_TRUE(s.message[0] != '\0');

    /* The same on a GET is retried and succeeds. */
    rule.method = "GET";
    rule.path_prefix = "/users/@me";
    ASSERT_EQ(fakecord_rest_script(fc, &rule), 0);
    ASSERT_EQ(submit(rest, "GET", "/users/@me", NULL, &s), 0);
    WAIT_DONE(&s, 5000);
    ASSERT_EQ(s.status, 200);
    ASSERT_EQ(s.err, 0);

    /* Nothing listening: a transport error. */
    teardown();
}

TEST(connection_refused_is_a_transport_error)
{
    struct dbot__rest_opts o = { 0 };
    struct res s;
    fakecord *tmp = fakecord_start(NULL);
    char url[128];

    ASSERT_TRUE(tmp != NULL);
    snprintf(url, sizeof url, "%s", fakecord_api_url(tmp));
    fakecord_stop(tmp); /* the port is now closed */
    o.api_url = url;
    o.max_retries = -1;
    rest = dbot__rest_new(&o, deliver, NULL);
    ASSERT_TRUE(rest != NULL);
    ASSERT_EQ(submit(rest, "GET", "/users/@me", NULL, &s), 0);
    WAIT_DONE(&s, 5000);
    ASSERT_EQ(s.status, 0);
    ASSERT_EQ(s.err, DBOT_ETRANSPORT);
    ASSERT_CONTAINS(s.message, "GET /users/@me");
    dbot__rest_free(rest);
    rest = NULL;
}

/* https with verification on: trusting the test CA works (and HTTP/2 is
 * used when the server offers it); without the CA the certificate is
 * refused, because a zeroed options struct verifies. */
TEST(tls_verified_by_default)
{
    struct fakecord_opts fo = { 0 };
    struct dbot__rest_opts o = { 0 };
    struct dbot__rest_stats rs;
    struct res s[8];

    fo.tls_cert_file = DBOT_TEST_DATA "/tls/server.pem";
    fo.tls_key_file = DBOT_TEST_DATA "/tls/server.key";
    fo.token = FAKECORD_TOKEN;
    fc = fakecord_start(&fo);
    ASSERT_TRUE(fc != NULL);
    ASSERT_CONTAINS(fakecord_api_url(fc), "https://localhost:");

    o.api_url = fakecord_api_url(fc);
    o.token = FAKECORD_TOKEN;
    o.ca_file = DBOT_TEST_DATA "/tls/ca.pem";
    rest = dbot__rest_new(&o, deliver, NULL);
    ASSERT_TRUE(rest != NULL);
    for (int i = 0; i < 8; i++)
        ASSERT_EQ(submit(rest, "GET", "/users/@me", NULL, &s[i]), 0);
    for (int i = 0; i < 8; i++) {
        WAIT_DONE(&s[i], 10000);
        ASSERT_EQ(s[i].status, 200);
    }
    dbot__rest_stats(rest, &rs);
    ASSERT_EQ(rs.http2, 8); /* ALPN picked h2 (lws is built with H2) */
    dbot__rest_free(rest);

    o.ca_file = NULL;
    o.max_retries = -1;
    rest = dbot__rest_new(&o, deliver, NULL);
    ASSERT_TRUE(rest != NULL);
    ASSERT_EQ(submit(rest, "GET", "/users/@me", NULL, &s[0]), 0);
    WAIT_DONE(&s[0], 10000);
    ASSERT_EQ(s[0].status, 0);
    ASSERT_EQ(s[0].err, DBOT_ETRANSPORT);
    ASSERT_CONTAINS(s[0].message, "certificate");
    teardown();
}

TEST(shutdown_cancels_pending_once)
{
    enum {
        N = 12
    };
    struct res s[N];
    struct fakecord_rest_rule rule = { 0 };
    int cancelled = 0;

    setup();
    rule.method = "GET";
    rule.path_prefix = "/users/@me";
    rule.count = -1;
    rule.delay_ms = 3000;
    ASSERT_EQ(fakecord_rest_script(fc, &rule), 0);
    ASSERT_EQ(submit(rest, "GET", "/gateway/bot", NULL, &s[0]), 0);
    WAIT_DONE(&s[0], 5000);     /* one finished before shutdown */
    for (int i = 1; i < 4; i++) /* in flight (delayed) or queued */
        ASSERT_EQ(submit(rest, "GET", "/users/@me", NULL, &s[i]), 0);
    for (int i = 4; i < N; i++) /* queued behind the 5/5 s bucket */
        ASSERT_EQ(submit(rest, "POST", "/channels/9/messages",
                         "{\"content\":\"c\"}", &s[i]),
                  0);
    WAIT_UNTIL((pump(), count_requests("GET", "/api/v10/users/@me") >= 1),
               5000);
    dbot__rest_free(rest);
    rest = NULL;
    pump(); /* completions delivered before the free still run */
    for (int i = 0; i < N; i++) {
        ASSERT_EQ(s[i].calls, 1);
        if (s[i].err == DBOT_ECANCELED) {
            cancelled++;
            ASSERT_CONTAINS(s[i].message, "cancelled");
        }
    }
    ASSERT_GE(cancelled, 3); /* at least the delayed GETs */
    ASSERT_EQ(s[0].err, 0);
    {
        struct fakecord_stats st;
        fakecord_stats(fc, &st);
        ASSERT_EQ(st.violations, 0);
        fakecord_stop(fc);
        fc = NULL;
    }
}

/* ---- exactly once through 5xx and dropped connections -------------------- */

/* Bodies of the requests whose path starts with `prefix`, joined by '\n'
 * into buf; returns how many. */
static int
request_bodies(const char *method, const char *prefix, char *buf, size_t cap)
{
    struct fakecord_request *reqs;
    int n = fakecord_requests(fc, &reqs), c = 0;
    size_t o = 0;

    buf[0] = '\0';
    for (int i = 0; i < n; i++)
        if (!strcmp(reqs[i].method, method) &&
            !strncmp(reqs[i].path, prefix, strlen(prefix))) {
            o += (size_t)snprintf(buf + o, o < cap ? cap - o : 0, "%s\n",
                                  (char *)reqs[i].body);
            c++;
        }
    fakecord_requests_free(reqs, n);
    return c;
}

/* How many messages the fake holds with this content, and the id of the
 * last one. */
static int
messages_with(const char *content, char *id, size_t idcap)
{
    cJSON *all = fakecord_messages(fc);
    const cJSON *m;
    int c = 0;

    cJSON_ArrayForEach(m, all) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(m, "content");

        if (cJSON_IsString(t) && !strcmp(t->valuestring, content)) {
            snprintf(id, idcap, "%s",
                     cJSON_GetObjectItemCaseSensitive(m, "id")->valuestring);
            c++;
        }
    }
    cJSON_Delete(all);
    return c;
}

/* A channel message is sent again after a 500/502/503/504 or a dropped
 * connection, with the nonce it was given once: whether the first attempt
 * was carried out (the answer lost) or not, the channel gets it once, and
 * the caller gets that message. */
TEST(channel_message_survives_5xx_and_drops_exactly_once)
{
    static const struct {
        int status, drop, after;
    } faults[] = {
        { 500, 0, 1 }, { 502, 0, 1 }, { 503, 0, 1 }, { 504, 0, 1 },
        { 500, 0, 0 }, { 502, 0, 0 }, { 503, 0, 0 }, { 504, 0, 0 },
        { 0, 1, 1 },   { 0, 1, 0 },
    };
    enum {
        NF = sizeof faults / sizeof faults[0]
    };
    struct res s[NF];
    char path[64], body[64], content[32], id[32], bodies[1024];

    setup();
    for (int i = 0; i < NF; i++) {
        struct fakecord_rest_rule rule = { 0 };

        snprintf(path, sizeof path, "/channels/%d/messages", 300 + i);
        rule.method = "POST";
        rule.path_prefix = path;
        rule.count = 1;
        rule.status = faults[i].status;
        rule.drop = faults[i].drop;
        rule.after_effect = faults[i].after;
        ASSERT_EQ(fakecord_rest_script(fc, &rule), 0);
        snprintf(body, sizeof body, "{\"content\":\"answer %d\"}", i);
        ASSERT_EQ(submit(rest, "POST", path, body, &s[i]), 0);
    }
    for (int i = 0; i < NF; i++) {
        char prefix[80];
        const char *nl;

        WAIT_DONE(&s[i], 10000);
        ASSERT_EQ(s[i].err, 0);
        ASSERT_EQ(s[i].status, 200);
        snprintf(content, sizeof content, "answer %d", i);
        ASSERT_EQ(messages_with(content, id, sizeof id), 1);
        ASSERT_CONTAINS(s[i].body, id); /* the message that exists */
        snprintf(prefix, sizeof prefix, "/api/v10/channels/%d/messages",
                 300 + i);
        ASSERT_EQ(request_bodies("POST", prefix, bodies, sizeof bodies), 2);
        /* Both attempts carry the same nonce, enforced. */
        nl = strchr(bodies, '\n');
        ASSERT_TRUE(nl != NULL);
        ASSERT_EQ(strncmp(bodies, nl + 1, (size_t)(nl - bodies)), 0);
        ASSERT_CONTAINS(bodies, "\"enforce_nonce\":true");
    }
    teardown();
}

/* A caller's own nonce is kept; without enforce_nonce the message is not
 * idempotent, so a 502 is not retried. */
TEST(caller_nonce_is_kept_and_decides)
{
    struct res a, b;
    char bodies[512];

    setup();
    ASSERT_EQ(fakecord_rest_fail(fc, "POST", "/channels/320/messages", 502, 1,
                                 NULL, NULL),
              0);
    ASSERT_EQ(submit(rest, "POST", "/channels/320/messages",
                     "{\"content\":\"x\",\"nonce\":\"mine\"}", &a),
              0);
    WAIT_DONE(&a, 5000);
    ASSERT_EQ(a.status, 502);
    ASSERT_EQ(
        request_bodies("POST", "/api/v10/channels/320/", bodies, sizeof bodies),
        1);
    ASSERT_STREQ(bodies, "{\"content\":\"x\",\"nonce\":\"mine\"}\n");

    ASSERT_EQ(fakecord_rest_fail(fc, "POST", "/channels/321/messages", 502, 1,
                                 NULL, NULL),
              0);
    ASSERT_EQ(submit(rest, "POST", "/channels/321/messages",
                     "{\"content\":\"y\",\"nonce\":42,\"enforce_nonce\":true}",
                     &b),
              0);
    WAIT_DONE(&b, 5000);
    ASSERT_EQ(b.status, 200);
    ASSERT_EQ(
        request_bodies("POST", "/api/v10/channels/321/", bodies, sizeof bodies),
        2);
    ASSERT_NOT_CONTAINS(bodies, "\"nonce\":\""); /* no nonce of ours */
    teardown();
}

/* Message edits (PATCH with the message's fields) are idempotent: sent
 * again after a 5xx, whether or not the first one was applied. */
TEST(message_edits_are_retried)
{
    static const int codes[] = { 500, 502, 503, 504 };
    struct res s;
    char path[64];

    setup();
    for (int i = 0; i < 4; i++) {
        struct fakecord_rest_rule rule = { 0 };

        snprintf(path, sizeof path, "/channels/330/messages/%d", 10 + i);
        rule.method = "PATCH";
        rule.path_prefix = path;
        rule.count = 1;
        rule.status = codes[i];
        rule.after_effect = i % 2;
        ASSERT_EQ(fakecord_rest_script(fc, &rule), 0);
        ASSERT_EQ(submit(rest, "PATCH", path, "{\"content\":\"edited\"}", &s),
                  0);
        WAIT_DONE(&s, 5000);
        ASSERT_EQ(s.err, 0);
        ASSERT_EQ(s.status, 200);
        ASSERT_CONTAINS(s.body, "\"content\":\"edited\"");
    }
    ASSERT_EQ(count_requests("PATCH", "/api/v10/channels/330/"), 8);

    /* @original: the fake's scripted answers stand in for the route (an
     * interaction needs a gateway session: test_offload.c has that). */
    ASSERT_EQ(
        fakecord_rest_fail(fc, "PATCH", "/webhooks/7/", 502, 1, NULL, NULL), 0);
    ASSERT_EQ(
        fakecord_rest_fail(fc, "PATCH", "/webhooks/7/", 200, 1, "{}", NULL), 0);
    ASSERT_EQ(submit(rest, "PATCH", "/webhooks/7/dG9r/messages/@original",
                     "{\"content\":\"answer\"}", &s),
              0);
    WAIT_DONE(&s, 5000);
    ASSERT_EQ(s.err, 0);
    ASSERT_EQ(count_requests("PATCH", "/api/v10/webhooks/7/"), 2);
    teardown();
}

/* An interaction callback resent after a 5xx whose answer was lost gets
 * 40060: the first one landed, so the caller sees success. A 40060 to a
 * first attempt is still an error (a double acknowledgement bug). */
TEST(callback_40060_after_a_lost_answer_is_success)
{
    static const char *ack = "{\"code\":40060,\"message\":\"Interaction has "
                             "already been acknowledged.\"}";
    const char *cb = "{\"type\":5}";
    struct res s, f;

    setup();
    ASSERT_EQ(
        fakecord_rest_fail(fc, "POST", "/interactions/21/", 502, 1, NULL, NULL),
        0);
    ASSERT_EQ(
        fakecord_rest_fail(fc, "POST", "/interactions/21/", 400, 1, ack, NULL),
        0);
    ASSERT_EQ(submit(rest, "POST", "/interactions/21/dG9r/callback", cb, &s),
              0);
    WAIT_DONE(&s, 5000);
    ASSERT_EQ(s.err, 0);
    ASSERT_EQ(s.code, 40060);
    ASSERT_EQ(s.status, 400);
    ASSERT_EQ(count_requests("POST", "/api/v10/interactions/21/"), 2);

    ASSERT_EQ(
        fakecord_rest_fail(fc, "POST", "/interactions/22/", 400, 1, ack, NULL),
        0);
    ASSERT_EQ(submit(rest, "POST", "/interactions/22/dG9r/callback", cb, &f),
              0);
    WAIT_DONE(&f, 5000);
    ASSERT_EQ(f.err, DBOT_EHTTP);
    ASSERT_EQ(f.code, 40060);
    teardown();
}

/* Webhook and followup execution (and any other POST that cannot be made
 * idempotent) is sent again only when it certainly never left. A
 * connection dropped after the request was read is not resent (not even
 * by curl on a reused connection); a refused connection is, and the
 * request arrives once. */
TEST(non_idempotent_posts_resent_only_when_never_sent)
{
    struct dbot__rest_opts o = { 0 };
    struct fakecord_opts fo = { 0 };
    struct fakecord_rest_rule rule = { 0 };
    struct dbot__rest_stats rs;
    struct res s;
    char url[128];

    setup();
    /* A connection in the pool first, so the drop hits a reused one. */
    ASSERT_EQ(submit(rest, "GET", "/users/@me", NULL, &s), 0);
    WAIT_DONE(&s, 5000);
    ASSERT_EQ(s.status, 200);
    rule.method = "POST";
    rule.path_prefix = "/webhooks/8/";
    rule.count = 1;
    rule.drop = 1;
    ASSERT_EQ(fakecord_rest_script(fc, &rule), 0);
    ASSERT_EQ(
        submit(rest, "POST", "/webhooks/8/dG9r", "{\"content\":\"f\"}", &s), 0);
    WAIT_DONE(&s, 5000);
    ASSERT_EQ(s.status, 0);
    ASSERT_EQ(s.err, DBOT_ETRANSPORT);
    ASSERT_EQ(count_requests("POST", "/api/v10/webhooks/8/"), 1);
    dbot__rest_free(rest);
    rest = NULL;
    pump();

    /* Refused: nothing listens on the port until the first retry is
     * scheduled; then the fake starts there and the retry lands. */
    fo.port = fakecord_port(fc);
    snprintf(url, sizeof url, "%s", fakecord_api_url(fc));
    fakecord_stop(fc);
    fc = NULL;
    o.api_url = url;
    o.token = FAKECORD_TOKEN;
    o.retry_base_ms = 50;
    o.max_retries = 10;
    rest = dbot__rest_new(&o, deliver, NULL);
    ASSERT_TRUE(rest != NULL);
    /* Opening a DM: a POST of the same class as a webhook execution that
     * the fake answers without scripting, so no rule races the retry. */
    ASSERT_EQ(submit(rest, "POST", "/users/@me/channels",
                     "{\"recipient_id\":\"9\"}", &s),
              0);
    WAIT_UNTIL((dbot__rest_stats(rest, &rs), rs.retries >= 1), 5000);
    fc = fakecord_start(&fo);
    ASSERT_TRUE(fc != NULL);
    WAIT_DONE(&s, 20000);
    ASSERT_EQ(s.err, 0);
    ASSERT_EQ(s.status, 200);
    ASSERT_CONTAINS(s.body, "\"recipients\"");
    ASSERT_EQ(count_requests("POST", "/api/v10/users/@me/channels"), 1);
    teardown();
}

/* Waits are bounded by the request's deadline: a 429 asking for 10^19
 * seconds fails the request at once, and so does a request queued behind
 * the bucket it parked, instead of waiting (or overflowing). */
TEST(waits_past_the_deadline_fail_at_once)
{
    struct dbot__rest_opts o = { 0 };
    struct dbot__rest_stats rs;
    struct res s, t;
    long long t0;

    o.deadline_ms = 60000;
    setup_with(&o, NULL);
    ASSERT_EQ(fakecord_rest_fail(
                  fc, "GET", "/guilds/5/members/", 429, 1,
                  "{\"message\":\"You are being rate limited.\","
                  "\"retry_after\":1e300,\"global\":false}",
                  "Retry-After: 10000000000000000000\r\n"
                  "X-RateLimit-Bucket: parked\r\nX-RateLimit-Limit: 5\r\n"
                  "X-RateLimit-Remaining: 0\r\n"
                  "X-RateLimit-Reset-After: 99999999999999999999\r\n"),
              0);
    t0 = check_now_ms_();
    ASSERT_EQ(submit(rest, "GET", "/guilds/5/members/1", NULL, &s), 0);
    WAIT_DONE(&s, 5000);
    ASSERT_EQ(s.status, 429);
    ASSERT_EQ(s.err, DBOT_ERATELIMIT);
    ASSERT_CONTAINS(s.message, "past the request's deadline");
    ASSERT_EQ(count_requests("GET", "/api/v10/guilds/5/"), 1);
    /* The bucket is parked for the longest wait, not for ever: the next
     * request cannot make its deadline and fails without being sent. */
    ASSERT_EQ(submit(rest, "GET", "/guilds/5/members/2", NULL, &t), 0);
    WAIT_DONE(&t, 5000);
    ASSERT_EQ(t.status, 0);
    ASSERT_EQ(t.err, DBOT_ERATELIMIT);
    ASSERT_CONTAINS(t.message, "past its deadline");
    ASSERT_LE(check_now_ms_() - t0, check_timeout_ms_(3000));
    dbot__rest_stats(rest, &rs);
    ASSERT_EQ(rs.expired, 1);
    ASSERT_EQ(count_requests("GET", "/api/v10/guilds/5/"), 1);
    pthread_mutex_lock(&log_mu);
    ASSERT_NOT_CONTAINS(logbuf, "-9223372036854775808");
    pthread_mutex_unlock(&log_mu);
    teardown();
}

/* ---- the loop lane (rest_lane.c) ------------------------------------------
 */

static void
lane_on(void)
{
    ASSERT_EQ(dbot__loop_new(&lane_loop, NULL), 0);
    dbot__timer_init(&lane_tick, lane_tick_fn);
}

static void
lane_off(void)
{
    dbot__loop_timer_disarm(lane_loop, &lane_tick);
    dbot__loop_free(lane_loop);
    lane_loop = NULL;
}

/* The same retries, through the lane: 502 twice then 200; always 503 ends
 * before the 3-second deadline. Then: the completion runs on the loop's
 * thread, and the lane (not the thread) sent the callback. */
TEST(lane_callbacks_retry_within_deadline)
{
    struct dbot__rest_stats rs;
    struct res s;

    lane_on();
    interaction_callback_retries_within_deadline();
    lane_off();
    lane_on();
    setup();
    /* The fake answers only interactions it sent; these are scripted. */
    ASSERT_EQ(
        fakecord_rest_fail(fc, "POST", "/interactions/", 200, -1, "{}", NULL),
        0);
    ASSERT_EQ(submit(rest, "POST", "/interactions/13/dG9r/callback",
                     "{\"type\":5}", &s),
              0);
    WAIT_DONE(&s, 5000);
    ASSERT_EQ(s.err, 0);
    ASSERT_TRUE(s.on_loop);
    dbot__rest_stats(rest, &rs);
    ASSERT_EQ(rs.lane, 1);
    ASSERT_EQ(rs.submitted, 1);
    teardown();
    lane_off();
}

TEST(lane_callback_40060_after_a_lost_answer_is_success)
{
    lane_on();
    callback_40060_after_a_lost_answer_is_success();
    lane_off();
}

/* A 429 on a callback: the lane's limiter waits retry_after on the loop's
 * timer, then sends it again. */
TEST(lane_429_waits_retry_after)
{
    struct dbot__rest_stats rs;
    struct res s;
    long long t0;

    lane_on();
    setup();
    ASSERT_EQ(fakecord_rest_fail(fc, "POST", "/interactions/31/", 429, 1,
                                 "{\"message\":\"You are being rate "
                                 "limited.\",\"retry_after\":0.3,"
                                 "\"global\":false}",
                                 "X-RateLimit-Scope: user\r\n"),
              0);
    ASSERT_EQ(
        fakecord_rest_fail(fc, "POST", "/interactions/", 200, -1, "{}", NULL),
        0);
    t0 = check_now_ms_();
    ASSERT_EQ(submit(rest, "POST", "/interactions/31/dG9r/callback",
                     "{\"type\":5}", &s),
              0);
    WAIT_DONE(&s, 5000);
    ASSERT_EQ(s.err, 0);
    ASSERT_EQ(s.status, 200);
    ASSERT_GE(check_now_ms_() - t0, 300);
    ASSERT_EQ(count_requests("POST", "/api/v10/interactions/31/"), 2);
    dbot__rest_stats(rest, &rs);
    ASSERT_EQ(rs.limited, 1);
    ASSERT_EQ(rs.lane, 1);
    teardown();
    lane_off();
}

/* Only plain callbacks from the loop's thread take the lane: any other
 * route, a callback with files (reading them would block the loop) and a
 * callback from another thread go to the REST thread. All complete. */
struct from_thread {
    struct res s;
    int rc;
};

static void *
submit_from_thread(void *arg)
{
    struct from_thread *ft = arg;

    ft->rc = submit(rest, "POST", "/interactions/43/dG9r/callback",
                    "{\"type\":5}", &ft->s);
    return NULL;
}

TEST(lane_takes_only_plain_callbacks_from_the_loop)
{
    static const char png[] = "\x89PNG fake";
    struct dbot__rest_stats rs;
    struct dbot__rest_call c = { 0 };
    dbot_rest_file f = { "a.png", "image/png", png, sizeof png - 1, NULL };
    struct from_thread ft;
    struct res a, b, d;
    pthread_t th;

    lane_on();
    setup();
    ASSERT_EQ(
        fakecord_rest_fail(fc, "POST", "/interactions/", 200, -1, "{}", NULL),
        0);
    dbot__loop_enter(lane_loop); /* this thread runs the loop */
    ASSERT_EQ(submit(rest, "GET", "/users/@me", NULL, &a), 0);
    memset(&b, 0, sizeof b);
    c.method = "POST";
    c.path = "/interactions/42/dG9r/callback";
    c.body = "{\"type\":4,\"data\":{\"content\":\"x\"}}";
    c.body_len = strlen(c.body);
    c.files = &f;
    c.nfiles = 1;
    ASSERT_EQ(dbot__rest_submit(rest, &c, on_done, &b), 0);
    pthread_create(&th, NULL, submit_from_thread, &ft);
    pthread_join(th, NULL);
    ASSERT_EQ(ft.rc, 0);
    ASSERT_EQ(submit(rest, "POST", "/interactions/44/dG9r/callback",
                     "{\"type\":5}", &d),
              0);
    WAIT_DONE(&a, 5000);
    WAIT_DONE(&b, 5000);
    WAIT_DONE(&ft.s, 5000);
    WAIT_DONE(&d, 5000);
    ASSERT_EQ(a.err, 0);
    ASSERT_EQ(b.err, 0);
    ASSERT_EQ(ft.s.err, 0);
    ASSERT_EQ(d.err, 0);
    dbot__rest_stats(rest, &rs);
    ASSERT_EQ(rs.submitted, 4);
    ASSERT_EQ(rs.lane, 1);
    dbot__loop_leave(lane_loop);
    teardown();
    lane_off();
}

/* Freeing the client cancels what the lane holds, once each, on the
 * calling thread; what completed before still ran once. */
TEST(lane_shutdown_cancels_pending_once)
{
    struct fakecord_rest_rule rule = { 0 };
    struct res s[4];
    int cancelled = 0;

    lane_on();
    setup();
    ASSERT_EQ(
        fakecord_rest_fail(fc, "POST", "/interactions/50/", 200, 1, "{}", NULL),
        0);
    ASSERT_EQ(submit(rest, "POST", "/interactions/50/dG9r/callback",
                     "{\"type\":5}", &s[0]),
              0);
    WAIT_DONE(&s[0], 5000);
    rule.method = "POST";
    rule.path_prefix = "/interactions/";
    rule.count = -1;
    rule.delay_ms = 3000;
    ASSERT_EQ(fakecord_rest_script(fc, &rule), 0);
    for (int i = 1; i < 4; i++) {
        char path[64];

        snprintf(path, sizeof path, "/interactions/5%d/dG9r/callback", i);
        ASSERT_EQ(submit(rest, "POST", path, "{\"type\":5}", &s[i]), 0);
    }
    WAIT_UNTIL((pump(), count_requests("POST", "/api/v10/interactions/5") >= 4),
               5000);
    dbot__rest_free(rest);
    rest = NULL;
    pump();
    for (int i = 0; i < 4; i++) {
        ASSERT_EQ(s[i].calls, 1);
        if (s[i].err == DBOT_ECANCELED) {
            cancelled++;
            ASSERT_CONTAINS(s[i].message, "cancelled");
        }
    }
    ASSERT_EQ(s[0].err, 0);
    ASSERT_EQ(cancelled, 3);
    fakecord_stop(fc);
    fc = NULL;
    lane_off();
}

/* Nothing listening: a transport error, through the lane as through the
 * thread. */
TEST(lane_connection_refused_is_a_transport_error)
{
    struct dbot__rest_opts o = { 0 };
    struct dbot__rest_stats rs;
    struct res s;
    fakecord *tmp = fakecord_start(NULL);
    char url[128];

    ASSERT_TRUE(tmp != NULL);
    snprintf(url, sizeof url, "%s", fakecord_api_url(tmp));
    fakecord_stop(tmp);
    lane_on();
    o.api_url = url;
    o.max_retries = -1;
    o.loop = lane_loop;
    rest = dbot__rest_new(&o, deliver, NULL);
    ASSERT_TRUE(rest != NULL);
    ASSERT_EQ(submit(rest, "POST", "/interactions/60/dG9r/callback",
                     "{\"type\":5}", &s),
              0);
    WAIT_DONE(&s, 5000);
    ASSERT_EQ(s.status, 0);
    ASSERT_EQ(s.err, DBOT_ETRANSPORT);
    dbot__rest_stats(rest, &rs);
    ASSERT_EQ(rs.lane, 1);
    dbot__rest_free(rest);
    rest = NULL;
    pump();
    lane_off();
}

int
main(void)
{
    loop_thread = pthread_self();
    dbot_log_set_sink(sink, NULL);
    dbot_log_set_level(DBOT_LOG_INFO);
    RUN(get_sends_headers_and_parses_json);
    RUN(post_json_and_audit_reason);
    RUN(bad_calls_are_refused_without_callback);
    RUN(bucket_discovery_and_sharing);
    RUN(major_parameters_separate_buckets);
    RUN(route_429_waits_retry_after_and_succeeds);
    RUN(global_429_pauses_other_routes);
    RUN(global_limit_is_respected);
    RUN(server_errors_retried_for_idempotent_methods);
    RUN(interaction_callback_retries_within_deadline);
    RUN(unauthorized_is_not_retried);
    RUN(multipart_bytes_intact);
    RUN(thousand_requests_complete_in_order);
    RUN(bad_responses_give_clear_errors);
    RUN(connection_refused_is_a_transport_error);
    RUN(channel_message_survives_5xx_and_drops_exactly_once);
    RUN(caller_nonce_is_kept_and_decides);
    RUN(message_edits_are_retried);
    RUN(callback_40060_after_a_lost_answer_is_success);
    RUN(non_idempotent_posts_resent_only_when_never_sent);
    RUN(waits_past_the_deadline_fail_at_once);
    RUN(tls_verified_by_default);
    RUN(shutdown_cancels_pending_once);
    RUN(lane_callbacks_retry_within_deadline);
    RUN(lane_callback_40060_after_a_lost_answer_is_success);
    RUN(lane_429_waits_retry_after);
    RUN(lane_takes_only_plain_callbacks_from_the_loop);
    RUN(lane_shutdown_cancels_pending_once);
    RUN(lane_connection_refused_is_a_transport_error);
    dbot_log_set_sink(NULL, NULL);
    return 0;
}
