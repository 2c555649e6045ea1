/*
 * test_fakecord.c: the fake Discord checked with a raw client: a minimal
 * lws websocket client (with its own zlib inflate) for the gateway and
 * libcurl for REST. Each test starts its own fake on an ephemeral port.
 */
#include "fakecord.h"
#include "../check.h"

#include <curl/curl.h>
#include <libwebsockets.h>
#include <zlib.h>

#define MAX_MSGS 256

/* ---- a minimal gateway client ------------------------------------------- */

struct wsc {
    struct lws_context *ctx;
    struct lws *wsi;
    lws_sorted_usec_list_t tick;
    int established, closed, failed;
    int peer_close_code;
    int compressed, zinit;
    z_stream zs;
    unsigned char *zbuf; /* compressed bytes awaiting 00 00 ff ff */
    size_t zlen;
    unsigned char *frag; /* websocket message being reassembled */
    size_t flen;
    int ws_messages, binary_messages, text_messages;
    cJSON *msgs[MAX_MSGS];
    int n;
    char *tx[16];
    int ntx;
    int close_code; /* client close to send once tx is empty */
};

static void
wsc_got_json(struct wsc *w, const char *s, size_t len)
{
    const char *p = s, *end = s + len;

    /* Several sync-flushed messages may share one websocket message. */
    while (p < end) {
        const char *next = NULL;
        cJSON *j = cJSON_ParseWithLengthOpts(p, (size_t)(end - p), &next, 0);

        ASSERT_TRUE(j != NULL);
        ASSERT_TRUE(w->n < MAX_MSGS);
        w->msgs[w->n++] = j;
        p = next;
        while (p < end && (*p == ' ' || *p == '\n'))
            p++;
    }
}

static void
wsc_inflate(struct wsc *w)
{
    unsigned char out[16384];
    unsigned char *acc = NULL;
    size_t acc_len = 0;

    w->zs.next_in = w->zbuf;
    w->zs.avail_in = (uInt)w->zlen;
    do {
        int rc;

        w->zs.next_out = out;
        w->zs.avail_out = sizeof out;
        rc = inflate(&w->zs, Z_SYNC_FLUSH);
        ASSERT_TRUE(rc == Z_OK || rc == Z_BUF_ERROR);
        size_t got = sizeof out - w->zs.avail_out;
        acc = realloc(acc, acc_len + got + 1);
        memcpy(acc + acc_len, out, got);
        acc_len += got;
    } while (w->zs.avail_in > 0 || w->zs.avail_out == 0);
    w->zlen = 0;
    if (acc_len)
        wsc_got_json(w, (char *)acc, acc_len);
    free(acc);
}

static void
wsc_message(struct wsc *w, int binary)
{
    w->ws_messages++;
    if (binary)
        w->binary_messages++;
    else
        w->text_messages++;
    if (!w->compressed) {
        wsc_got_json(w, (char *)w->frag, w->flen);
        return;
    }
    w->zbuf = realloc(w->zbuf, w->zlen + w->flen);
    memcpy(w->zbuf + w->zlen, w->frag, w->flen);
    w->zlen += w->flen;
    if (w->zlen >= 4 && !memcmp(w->zbuf + w->zlen - 4, "\x00\x00\xff\xff", 4))
        wsc_inflate(w);
}

static int
wsc_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
       size_t len)
{
    struct wsc *w = lws_context_user(lws_get_context(wsi));

    (void)user;
    switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        w->established = 1;
        break;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        w->failed = 1;
        w->closed = 1;
        w->wsi = NULL;
        break;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        w->frag = realloc(w->frag, w->flen + len + 1);
        memcpy(w->frag + w->flen, in, len);
        w->flen += len;
        if (lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi)) {
            wsc_message(w, lws_frame_is_binary(wsi));
            w->flen = 0;
        }
        break;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        if (w->ntx) {
            char *s = w->tx[0];
            size_t n = strlen(s);
            unsigned char *buf = malloc(LWS_PRE + n);

            memcpy(buf + LWS_PRE, s, n);
            lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_TEXT);
            free(buf);
            free(s);
            memmove(w->tx, w->tx + 1, (size_t)--w->ntx * sizeof w->tx[0]);
            lws_callback_on_writable(wsi);
        } else if (w->close_code) {
            lws_close_reason(wsi, (enum lws_close_status)w->close_code, NULL,
                             0);
            return -1;
        }
        break;
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (len >= 2)
            w->peer_close_code =
                (((unsigned char *)in)[0] << 8) | ((unsigned char *)in)[1];
        break;
    case LWS_CALLBACK_CLIENT_CLOSED:
        w->closed = 1;
        w->wsi = NULL;
        break;
    default:
        break;
    }
    return 0;
}

static const struct lws_protocols wsc_protocols[] = {
    { "fc-test-client", wsc_cb, 0, 0, 0, NULL, 0 },
    { NULL, NULL, 0, 0, 0, NULL, 0 },
};

/* Keeps lws_service() returning so WSC_WAIT can check its deadline. */
static void
wsc_tick(lws_sorted_usec_list_t *sul)
{
    struct wsc *w = lws_container_of(sul, struct wsc, tick);

    lws_sul_schedule(w->ctx, 0, &w->tick, wsc_tick, 10 * 1000);
}

#define WSC_WAIT(w, cond, ms)                                     \
    do {                                                          \
        long long dlw_ = check_now_ms_() + check_timeout_ms_(ms); \
        while (!(cond)) {                                         \
            if (check_now_ms_() > dlw_)                           \
                CHECK_FAIL_("WSC_WAIT(%s) timed out", #cond);     \
            lws_service((w)->ctx, 0);                             \
        }                                                         \
    } while (0)

static void
wsc_open(struct wsc *w, int port, const char *path, int compressed)
{
    struct lws_context_creation_info info;
    struct lws_client_connect_info ci;

    memset(w, 0, sizeof *w);
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = wsc_protocols;
    info.user = w;
    info.gid = -1;
    info.uid = -1;
    w->ctx = lws_create_context(&info);
    ASSERT_TRUE(w->ctx != NULL);
    w->compressed = compressed;
    if (compressed) {
        ASSERT_EQ(inflateInit(&w->zs), Z_OK);
        w->zinit = 1;
    }
    memset(&ci, 0, sizeof ci);
    ci.context = w->ctx;
    ci.address = "127.0.0.1";
    ci.port = port;
    ci.path = path;
    ci.host = "127.0.0.1";
    ci.origin = "127.0.0.1";
    ci.pwsi = &w->wsi;
    lws_client_connect_via_info(&ci);
    wsc_tick(&w->tick);
    WSC_WAIT(w, w->established || w->failed, 5000);
    ASSERT_TRUE(w->established);
}

static void
wsc_free(struct wsc *w)
{
    lws_sul_cancel(&w->tick);
    lws_context_destroy(w->ctx);
    for (int i = 0; i < w->n; i++)
        cJSON_Delete(w->msgs[i]);
    for (int i = 0; i < w->ntx; i++)
        free(w->tx[i]);
    if (w->zinit)
        inflateEnd(&w->zs);
    free(w->zbuf);
    free(w->frag);
}

static void
wsc_send(struct wsc *w, const char *text)
{
    ASSERT_TRUE(w->wsi != NULL);
    w->tx[w->ntx++] = strdup(text);
    lws_callback_on_writable(w->wsi);
}

static void
wsc_close(struct wsc *w, int code)
{
    w->close_code = code;
    lws_callback_on_writable(w->wsi);
    WSC_WAIT(w, w->closed, 5000);
}

static int
msg_op(const struct wsc *w, int i)
{
    return cJSON_GetObjectItem(w->msgs[i], "op")->valueint;
}

static const char *
msg_t(const struct wsc *w, int i)
{
    const cJSON *t = cJSON_GetObjectItem(w->msgs[i], "t");
    return cJSON_IsString(t) ? t->valuestring : "";
}

static int64_t
msg_s(const struct wsc *w, int i)
{
    const cJSON *s = cJSON_GetObjectItem(w->msgs[i], "s");
    return cJSON_IsNumber(s) ? (int64_t)s->valuedouble : -1;
}

static const cJSON *
msg_d(const struct wsc *w, int i)
{
    return cJSON_GetObjectItem(w->msgs[i], "d");
}

#define IDENTIFY(tok, intents)                                     \
    "{\"op\":2,\"d\":{\"token\":\"" tok "\",\"intents\":" #intents \
    ",\"properties\":{\"os\":\"linux\",\"browser\":\"t\",\"device\":\"t\"}}}"

/* Connect, check Hello, Identify, wait for READY + GUILD_CREATE. Returns
 * the session id (caller frees). */
static char *
connect_identify(struct wsc *w, fakecord *fc, int compressed)
{
    wsc_open(w, fakecord_port(fc),
             compressed ? "/?v=10&encoding=json&compress=zlib-stream"
                        : "/?v=10&encoding=json",
             compressed);
    WSC_WAIT(w, w->n >= 1, 5000);
    ASSERT_EQ(msg_op(w, 0), 10);
    ASSERT_EQ(cJSON_GetObjectItem(msg_d(w, 0), "heartbeat_interval")->valueint,
              45000);
    wsc_send(w, IDENTIFY("test-token", 513));
    WSC_WAIT(w, w->n >= 3, 5000);
    ASSERT_STREQ(msg_t(w, 1), "READY");
    ASSERT_EQ(msg_s(w, 1), 1);
    ASSERT_STREQ(msg_t(w, 2), "GUILD_CREATE");
    ASSERT_EQ(msg_s(w, 2), 2);
    return strdup(cJSON_GetObjectItem(msg_d(w, 1), "session_id")->valuestring);
}

static fakecord *
start(void)
{
    struct fakecord_opts o = { .heartbeat_interval_ms = 45000 };
    fakecord *fc = fakecord_start(&o);

    ASSERT_TRUE(fc != NULL);
    ASSERT_TRUE(fakecord_port(fc) > 0);
    return fc;
}

/* ---- REST helper ----------------------------------------------------------
 */

struct resp {
    long status;
    char body[4096];
    size_t len;
    char headers[4096];
    size_t hlen;
};

static size_t
on_body(char *p, size_t sz, size_t n, void *arg)
{
    struct resp *r = arg;
    size_t len = sz * n, room = sizeof r->body - 1 - r->len;

    if (len < room)
        room = len;
    memcpy(r->body + r->len, p, room);
    r->len += room;
    r->body[r->len] = '\0';
    return len;
}

static size_t
on_header(char *p, size_t sz, size_t n, void *arg)
{
    struct resp *r = arg;
    size_t len = sz * n, room = sizeof r->headers - 1 - r->hlen;

    if (len < room)
        room = len;
    memcpy(r->headers + r->hlen, p, room);
    r->hlen += room;
    r->headers[r->hlen] = '\0';
    return len;
}

static int
http(fakecord *fc, const char *method, const char *path, const char *auth,
     const char *body, struct resp *r)
{
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    size_t ul = strlen(fakecord_api_url(fc)) + strlen(path) + 1;
    char *url = malloc(ul), ah[128];
    CURLcode rc;

    memset(r, 0, sizeof *r);
    snprintf(url, ul, "%s%s", fakecord_api_url(fc), path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (auth) {
        snprintf(ah, sizeof ah, "Authorization: %s", auth);
        h = curl_slist_append(h, ah);
    }
    curl_easy_setopt(c, CURLOPT_USERAGENT,
                     "DiscordBot (https://example.com/dbot, 0.1.0)");
    if (body && !strcmp(body, "raw-no-type")) {
        h = curl_slist_append(h, "Content-Type:");
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{}");
    } else if (body) {
        h = curl_slist_append(h, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, check_timeout_ms_(5000));
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free(url);
    return rc == CURLE_OK ? 0 : -1;
}

/* ---- tests ----------------------------------------------------------------
 */

TEST(test_identify_ready_heartbeat)
{
    fakecord *fc = start();
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
    fakecord *fc = start();
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

    wsc_open(&r, fakecord_port(fc), "/resume?v=10&encoding=json", 0);
    WSC_WAIT(&r, r.n >= 1, 5000);
    snprintf(resume, sizeof resume,
             "{\"op\":6,\"d\":{\"token\":\"test-token\",\"session_id\":\"%s\","
             "\"seq\":2}}",
             sid);
    wsc_send(&r, resume);
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
    fakecord *fc = start();
    struct fakecord_stats st;
    struct wsc w;
    char *sid = connect_identify(&w, fc, 1);
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

TEST(test_rest_auth_and_ratelimit)
{
    fakecord *fc = start();
    struct fakecord_request *reqs;
    struct resp r;
    char *v;
    int n;

    ASSERT_EQ(http(fc, "GET", "/gateway/bot", NULL, NULL, &r), 0);
    ASSERT_EQ(r.status, 401);
    ASSERT_STREQ(r.body, "{\"code\":0,\"message\":\"401: Unauthorized\"}");
    ASSERT_EQ(http(fc, "GET", "/gateway/bot", "Bot test-token", NULL, &r), 0);
    ASSERT_EQ(r.status, 200);
    ASSERT_CONTAINS(r.body, fakecord_gateway_url(fc));
    ASSERT_CONTAINS(r.body, "\"max_concurrency\":1");
    ASSERT_EQ(http(fc, "GET", "/nope", "Bot test-token", NULL, &r), 0);
    ASSERT_EQ(r.status, 404);
    v = fakecord_violations(fc);
    ASSERT_STREQ(v, "");
    free(v);
    ASSERT_EQ(http(fc, "POST", "/channels/1/typing", "Bot test-token",
                   "raw-no-type", &r),
              0);
    ASSERT_EQ(r.status, 400);
    ASSERT_CONTAINS(r.body, "50035");
    v = fakecord_violations(fc);
    ASSERT_CONTAINS(v, "rest: body without Content-Type");
    free(v);

    for (int i = 0; i < 5; i++) {
        ASSERT_EQ(http(fc, "POST", "/channels/1/messages", "Bot test-token",
                       "{\"content\":\"hi\"}", &r),
                  0);
        ASSERT_EQ(r.status, 200);
        ASSERT_CONTAINS(r.headers, "X-RateLimit-Bucket: ");
    }
    ASSERT_CONTAINS(r.headers, "X-RateLimit-Remaining: 0");
    ASSERT_EQ(http(fc, "POST", "/channels/1/messages", "Bot test-token",
                   "{\"content\":\"hi\"}", &r),
              0);
    ASSERT_EQ(r.status, 429);
    ASSERT_CONTAINS(r.body, "\"retry_after\":");
    ASSERT_CONTAINS(r.body, "\"global\":false");
    ASSERT_CONTAINS(r.headers, "X-RateLimit-Scope: user");
    ASSERT_CONTAINS(r.headers, "Retry-After: ");
    /* Another channel is another bucket. */
    ASSERT_EQ(http(fc, "POST", "/channels/2/messages", "Bot test-token",
                   "{\"content\":\"hi\"}", &r),
              0);
    ASSERT_EQ(r.status, 200);
    v = fakecord_violations(fc);
    ASSERT_CONTAINS(v, "rest: request while bucket empty");
    free(v);

    /* Scripted failure, then normal again. */
    ASSERT_EQ(fakecord_rest_fail(fc, "GET", "/gateway", 502, 1, NULL, NULL), 0);
    ASSERT_EQ(http(fc, "GET", "/gateway", NULL, NULL, &r), 0);
    ASSERT_EQ(r.status, 502);
    ASSERT_EQ(http(fc, "GET", "/gateway", NULL, NULL, &r), 0);
    ASSERT_EQ(r.status, 200);

    n = fakecord_requests(fc, &reqs);
    ASSERT_EQ(n, 13);
    ASSERT_STREQ(reqs[0].path, "/api/v10/gateway/bot");
    ASSERT_STREQ(reqs[0].authorization, "");
    ASSERT_EQ(reqs[0].status, 401);
    ASSERT_CONTAINS(reqs[0].user_agent, "DiscordBot (");
    ASSERT_CONTAINS(reqs[0].headers, "user-agent: DiscordBot (");
    ASSERT_CONTAINS(reqs[0].headers, "host: 127.0.0.1");
    ASSERT_STREQ(reqs[4].method, "POST");
    ASSERT_STREQ((char *)reqs[4].body, "{\"content\":\"hi\"}");
    ASSERT_STREQ(reqs[4].content_type, "application/json");
    fakecord_requests_free(reqs, n);
    fakecord_stop(fc);
}

TEST(test_interaction_flow)
{
    struct fakecord_opts o = { .heartbeat_interval_ms = 45000,
                               .interaction_token_len = 30000 };
    fakecord *fc = fakecord_start(&o);
    struct fakecord_ix_log log;
    struct wsc w;
    struct resp r;
    char *sid = connect_identify(&w, fc, 0);
    char path[40000], *v;
    const char *tok;
    uint64_t id, old;

    id = fakecord_push_interaction(
        fc, "{\"type\":2,\"data\":{\"id\":\"1\",\"name\":\"ping\"}}");
    ASSERT_NE(id, 0);
    WSC_WAIT(&w, w.n >= 4, 5000);
    ASSERT_STREQ(msg_t(&w, 3), "INTERACTION_CREATE");
    tok = cJSON_GetObjectItem(msg_d(&w, 3), "token")->valuestring;
    ASSERT_EQ(strlen(tok), 30000);
    snprintf(path, sizeof path, "/interactions/%llu/%s/callback",
             (unsigned long long)id, tok);
    ASSERT_EQ(http(fc, "POST", path, NULL, "{\"type\":5}", &r), 0);
    ASSERT_EQ(r.status, 204);
    ASSERT_EQ(http(fc, "POST", path, NULL, "{\"type\":4}", &r), 0);
    ASSERT_EQ(r.status, 400);
    ASSERT_CONTAINS(r.body, "40060");
    snprintf(path, sizeof path, "/webhooks/%s/%s/messages/@original",
             FAKECORD_APP_ID, tok);
    ASSERT_EQ(http(fc, "PATCH", path, NULL, "{\"content\":\"done\"}", &r), 0);
    ASSERT_EQ(r.status, 200);
    snprintf(path, sizeof path, "/webhooks/%s/%s", FAKECORD_APP_ID, tok);
    ASSERT_EQ(http(fc, "POST", path, NULL, "{\"content\":\"more\"}", &r), 0);
    ASSERT_EQ(r.status, 200);
    ASSERT_CONTAINS(r.body, "\"id\":");

    ASSERT_EQ(fakecord_interaction_log(fc, id, &log), 0);
    ASSERT_EQ(log.callbacks, 2);
    ASSERT_EQ(log.callback_type, 5);
    ASSERT_EQ(log.callback_status, 204);
    ASSERT_TRUE(log.callback_ms >= 0 && log.callback_ms < 3000);
    ASSERT_EQ(log.edits, 1);
    ASSERT_STREQ(cJSON_GetObjectItem(log.last_edit, "content")->valuestring,
                 "done");
    ASSERT_EQ(log.followups, 1);
    fakecord_ix_log_free(&log);

    /* Autocomplete accepts only type 8; with_response returns the
     * interaction. */
    old = fakecord_push_interaction(fc, "{\"type\":4}");
    WSC_WAIT(&w, w.n >= 5, 5000);
    tok = cJSON_GetObjectItem(msg_d(&w, 4), "token")->valuestring;
    snprintf(path, sizeof path,
             "/interactions/%llu/%s/callback?with_response=true",
             (unsigned long long)old, tok);
    ASSERT_EQ(http(fc, "POST", path, NULL, "{\"type\":4}", &r), 0);
    ASSERT_EQ(r.status, 400);
    ASSERT_EQ(http(fc, "POST", path, NULL,
                   "{\"type\":8,\"data\":{\"choices\":[]}}", &r),
              0);
    ASSERT_EQ(r.status, 200);
    ASSERT_CONTAINS(r.body, "\"type\":4");
    ASSERT_CONTAINS(r.body, "\"resource\":{\"type\":8}");
    v = fakecord_violations(fc);
    ASSERT_CONTAINS(v, "interaction callback type 4 invalid for interaction "
                       "type 4");
    free(v);

    /* A late callback: 10062. */
    old = fakecord_push_interaction(fc, "{\"type\":2}");
    WSC_WAIT(&w, w.n >= 6, 5000);
    ASSERT_EQ(fakecord_age_interaction(fc, old, 3500), 0);
    tok = cJSON_GetObjectItem(msg_d(&w, 5), "token")->valuestring;
    snprintf(path, sizeof path, "/interactions/%llu/%s/callback",
             (unsigned long long)old, tok);
    ASSERT_EQ(http(fc, "POST", path, NULL, "{\"type\":4}", &r), 0);
    ASSERT_EQ(r.status, 404);
    ASSERT_CONTAINS(r.body, "10062");
    /* The token still works for 15 min, then 10062 too. */
    ASSERT_EQ(fakecord_age_interaction(fc, id, 15 * 60 * 1000), 0);
    snprintf(path, sizeof path, "/webhooks/%s/%s", FAKECORD_APP_ID,
             cJSON_GetObjectItem(msg_d(&w, 3), "token")->valuestring);
    ASSERT_EQ(http(fc, "POST", path, NULL, "{\"content\":\"late\"}", &r), 0);
    ASSERT_EQ(r.status, 404);
    ASSERT_CONTAINS(r.body, "10062");
    v = fakecord_violations(fc);
    ASSERT_CONTAINS(v, "interaction token expired");
    free(v);
    wsc_close(&w, 4000);
    wsc_free(&w);
    free(sid);
    fakecord_stop(fc);
}

TEST(test_rest_scripting)
{
    fakecord *fc = start();
    struct fakecord_rest_rule slow = {
        .method = "GET", .path_prefix = "/gateway", .count = 1, .delay_ms = 300
    };
    struct fakecord_rest_rule cut = { .path_prefix = "/users/@me",
                                      .count = 1,
                                      .status = 200,
                                      .body =
                                          "{\"id\":\"1\",\"username\":\"x\"}",
                                      .truncate = 1 };
    CURLM *m = curl_multi_init();
    CURL *a = curl_easy_init(), *b = curl_easy_init();
    CURLMsg *msg;
    CURL *first = NULL;
    char ua[256], ub[256], *v;
    struct resp r;
    int running = 1, left;

    /* A delayed answer does not hold up the next request. */
    ASSERT_EQ(fakecord_rest_script(fc, &slow), 0);
    snprintf(ua, sizeof ua, "%s/gateway", fakecord_api_url(fc));
    snprintf(ub, sizeof ub, "%s/nope", fakecord_api_url(fc));
    curl_easy_setopt(a, CURLOPT_URL, ua);
    curl_easy_setopt(b, CURLOPT_URL, ub);
    curl_easy_setopt(a, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(a, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(b, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(b, CURLOPT_WRITEDATA, &r);
    memset(&r, 0, sizeof r);
    curl_multi_add_handle(m, a);
    curl_multi_add_handle(m, b);
    long long t0 = check_now_ms_();
    while (running) {
        curl_multi_perform(m, &running);
        while ((msg = curl_multi_info_read(m, &left)))
            if (msg->msg == CURLMSG_DONE && !first)
                first = msg->easy_handle;
        if (running)
            curl_multi_poll(m, NULL, 0, 50, NULL);
        ASSERT_TRUE(check_now_ms_() - t0 < check_timeout_ms_(5000));
    }
    ASSERT_TRUE(first == b);
    ASSERT_GE(check_now_ms_() - t0, 300);
    v = fakecord_violations(fc);
    ASSERT_CONTAINS(v, "rest: User-Agent is not DiscordBot");
    free(v);
    curl_multi_remove_handle(m, a);
    curl_multi_remove_handle(m, b);
    curl_easy_cleanup(a);
    curl_easy_cleanup(b);
    curl_multi_cleanup(m);

    /* Truncated body: the client sees a short transfer. */
    ASSERT_EQ(fakecord_rest_script(fc, &cut), 0);
    ASSERT_EQ(http(fc, "GET", "/users/@me", "Bot test-token", NULL, &r), -1);
    ASSERT_EQ(http(fc, "GET", "/users/@me", "Bot test-token", NULL, &r), 0);
    ASSERT_CONTAINS(r.body, FAKECORD_APP_ID);

    /* A scripted 429 with the caller's body and headers. */
    ASSERT_EQ(fakecord_rest_fail(fc, "POST", "/channels/", 429, 1,
                                 "{\"message\":\"x\",\"retry_after\":0.25,"
                                 "\"global\":false}",
                                 "Retry-After: 1\r\nX-RateLimit-Scope: shared"),
              0);
    ASSERT_EQ(http(fc, "POST", "/channels/3/messages", "Bot test-token",
                   "{\"content\":\"a\"}", &r),
              0);
    ASSERT_EQ(r.status, 429);
    ASSERT_CONTAINS(r.body, "0.25");
    ASSERT_CONTAINS(r.headers, "X-RateLimit-Scope: shared");

    ASSERT_EQ(fakecord_rest_fail(fc, "GET", "/gateway", 429, 1, NULL, NULL), 0);
    ASSERT_EQ(http(fc, "GET", "/gateway", NULL, NULL, &r), 0);
    ASSERT_EQ(r.status, 429);
    ASSERT_CONTAINS(r.body, "\"retry_after\":1.0");
    ASSERT_CONTAINS(r.headers, "Retry-After: 1");
    ASSERT_CONTAINS(r.headers, "X-RateLimit-Scope: user");

    /* Global limit: 2 per second, webhooks exempt. */
    ASSERT_EQ(fakecord_rest_global_limit(fc, 2), 0);
    ASSERT_EQ(fakecord_rest_limit(fc, "GET", "/gateway", "gw", 100, 1000), 0);
    /* The 1 s window may roll over on a slow machine: keep asking. */
    for (int i = 0; i < 50; i++) {
        ASSERT_EQ(http(fc, "GET", "/gateway", NULL, NULL, &r), 0);
        if (i < 2)
            ASSERT_EQ(r.status, 200);
        if (r.status == 429)
            break;
    }
    ASSERT_EQ(r.status, 429);
    ASSERT_CONTAINS(r.body, "\"global\":true");
    ASSERT_CONTAINS(r.headers, "X-RateLimit-Global: true");
    ASSERT_CONTAINS(r.headers, "X-RateLimit-Scope: global");
    ASSERT_EQ(http(fc, "POST", "/webhooks/1/x", NULL, "{}", &r), 0);
    ASSERT_EQ(r.status, 401); /* answered, not limited */
    fakecord_stop(fc);
}

TEST(test_commands_and_multipart)
{
    fakecord *fc = start();
    struct fakecord_request *reqs;
    struct resp r;
    cJSON *cmds, *msgs;
    CURL *c = curl_easy_init();
    curl_mime *mime = curl_mime_init(c);
    curl_mimepart *part;
    struct curl_slist *h =
        curl_slist_append(NULL, "Authorization: Bot test-token");
    char url[256];
    int n;

    h = curl_slist_append(h, "X-Audit-Log-Reason: because");
    ASSERT_EQ(http(fc, "PUT", "/applications/" FAKECORD_APP_ID "/commands",
                   "Bot test-token",
                   "[{\"name\":\"ping\",\"description\":\"Ping\"}]", &r),
              0);
    ASSERT_EQ(r.status, 200);
    ASSERT_CONTAINS(r.body, "\"id\":");
    ASSERT_EQ(http(fc, "PUT", "/applications/" FAKECORD_APP_ID "/commands",
                   "Bot test-token", "[{\"name\":\"\"}]", &r),
              0);
    ASSERT_EQ(r.status, 400);
    cmds = fakecord_commands(fc, NULL);
    ASSERT_EQ(cJSON_GetArraySize(cmds), 1);
    ASSERT_STREQ(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cmds, 0), "name")->valuestring,
        "ping");
    cJSON_Delete(cmds);
    ASSERT_EQ(http(fc, "GET",
                   "/applications/" FAKECORD_APP_ID "/guilds/5/commands",
                   "Bot test-token", NULL, &r),
              0);
    ASSERT_STREQ(r.body, "[]");

    part = curl_mime_addpart(mime);
    curl_mime_name(part, "payload_json");
    curl_mime_data(part, "{\"content\":\"with file\"}", CURL_ZERO_TERMINATED);
    curl_mime_type(part, "application/json");
    part = curl_mime_addpart(mime);
    curl_mime_name(part, "files[0]");
    curl_mime_filename(part, "a.txt");
    curl_mime_data(part, "hello\r\n--not-a-boundary", CURL_ZERO_TERMINATED);
    snprintf(url, sizeof url, "%s/channels/9/messages", fakecord_api_url(fc));
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    memset(&r, 0, sizeof r);
    ASSERT_EQ(curl_easy_perform(c), CURLE_OK);
    ASSERT_CONTAINS(r.body, "\"content\":\"with file\"");
    curl_mime_free(mime);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);

    ASSERT_EQ(
        http(fc, "POST", "/channels/9/typing", "Bot test-token", NULL, &r), 0);
    ASSERT_EQ(r.status, 204);
    ASSERT_EQ(http(fc, "PATCH", "/channels/9/messages/77", "Bot test-token",
                   "{\"content\":\"edited\"}", &r),
              0);
    ASSERT_EQ(r.status, 200);
    ASSERT_CONTAINS(r.body, "\"id\":\"77\"");
    ASSERT_CONTAINS(r.body, "edited");

    msgs = fakecord_messages(fc);
    ASSERT_EQ(cJSON_GetArraySize(msgs), 1);
    cJSON_Delete(msgs);
    n = fakecord_requests(fc, &reqs);
    ASSERT_EQ(n, 6);
    ASSERT_CONTAINS(reqs[3].content_type, "multipart/form-data; boundary=");
    ASSERT_CONTAINS((char *)reqs[3].body, "filename=\"a.txt\"");
    ASSERT_CONTAINS((char *)reqs[3].body, "hello\r\n--not-a-boundary");
    ASSERT_STREQ(reqs[3].audit_reason, "because");
    ASSERT_CONTAINS(reqs[3].headers, "x-audit-log-reason: because\n");
    fakecord_requests_free(reqs, n);
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
    wsc_open(&w, fakecord_port(fc), "/?v=10&encoding=json", 0);
    WSC_WAIT(&w, w.n >= 1, 5000);
    {
        char resume[256];
        snprintf(resume, sizeof resume,
                 "{\"op\":6,\"d\":{\"token\":\"test-token\",\"session_id\":"
                 "\"%s\",\"seq\":2}}",
                 sid);
        wsc_send(&w, resume);
    }
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
    ASSERT_EQ(http(fc, "GET", "/gateway/bot", "Bot test-token", NULL, &r), 0);
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
    ASSERT_EQ(http(fc, "GET", "/gateway/bot", "Bot test-token", NULL, &r), 0);
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

TEST(test_echo_messages)
{
    struct fakecord_opts o = { .heartbeat_interval_ms = 45000,
                               .echo_messages = 1 };
    fakecord *fc = fakecord_start(&o);
    struct wsc w;
    struct resp r;
    char *sid, path[128];
    const cJSON *ch;

    ASSERT_TRUE(fc != NULL);
    sid = connect_identify(&w, fc, 1);
    ch = cJSON_GetArrayItem(cJSON_GetObjectItem(msg_d(&w, 2), "channels"), 0);
    snprintf(path, sizeof path, "/channels/%s/messages",
             cJSON_GetObjectItem(ch, "id")->valuestring);
    ASSERT_EQ(
        http(fc, "POST", path, "Bot test-token", "{\"content\":\"echo\"}", &r),
        0);
    ASSERT_EQ(r.status, 200);
    WSC_WAIT(&w, w.n >= 4, 5000);
    ASSERT_STREQ(msg_t(&w, 3), "MESSAGE_CREATE");
    ASSERT_STREQ(cJSON_GetObjectItem(msg_d(&w, 3), "content")->valuestring,
                 "echo");
    ASSERT_STREQ(cJSON_GetObjectItem(msg_d(&w, 3), "guild_id")->valuestring,
                 cJSON_GetObjectItem(msg_d(&w, 2), "id")->valuestring);
    ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(
        cJSON_GetObjectItem(msg_d(&w, 3), "author"), "bot")));
    wsc_close(&w, 4000);
    wsc_free(&w);
    free(sid);
    fakecord_stop(fc);
}

int
main(void)
{
    lws_set_log_level(LLL_ERR, NULL);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    RUN(test_identify_ready_heartbeat);
    RUN(test_resume_replays);
    RUN(test_protocol_errors);
    RUN(test_zlib_stream);
    RUN(test_rest_auth_and_ratelimit);
    RUN(test_interaction_flow);
    RUN(test_rest_scripting);
    RUN(test_commands_and_multipart);
    RUN(test_gateway_limits);
    RUN(test_heartbeat_timeout);
    RUN(test_sharding);
    RUN(test_request_guild_members);
    RUN(test_echo_messages);
    curl_global_cleanup();
    return 0;
}
