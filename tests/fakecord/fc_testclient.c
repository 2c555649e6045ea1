/*
 * fc_testclient.c: raw clients for the fake's own tests (see
 * fc_testclient.h): a minimal lws websocket client with its own zlib
 * inflate and zstd decoder, and a libcurl request helper.
 */
#include "fc_testclient.h"

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

/* zstd-stream: the websocket message is exactly one gateway message. */
static void
wsc_unzstd(struct wsc *w)
{
    ZSTD_inBuffer in = { w->frag, w->flen, 0 };
    unsigned char *acc = NULL;
    size_t acc_len = 0, acc_cap = 0;
    int n = w->n;

    for (;;) {
        if (acc_cap - acc_len < 16384) {
            acc_cap = acc_cap * 2 + 16384;
            acc = realloc(acc, acc_cap);
        }
        ZSTD_outBuffer out = { acc, acc_cap, acc_len };
        size_t rc = ZSTD_decompressStream(w->zds, &out, &in);
        ASSERT_TRUE(!ZSTD_isError(rc));
        acc_len = out.pos;
        if (in.pos == in.size && out.pos < out.size)
            break;
    }
    if (acc_len)
        wsc_got_json(w, (char *)acc, acc_len);
    ASSERT_EQ(w->n, n + 1);
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
    if (w->compressed == WSC_ZSTD) {
        wsc_unzstd(w);
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

void
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
    if (compressed == WSC_ZLIB) {
        ASSERT_EQ(inflateInit(&w->zs), Z_OK);
        w->zinit = 1;
    } else if (compressed == WSC_ZSTD) {
        w->zds = ZSTD_createDStream();
        ASSERT_TRUE(w->zds != NULL);
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

void
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
    ZSTD_freeDStream(w->zds);
    free(w->zbuf);
    free(w->frag);
}

void
wsc_send(struct wsc *w, const char *text)
{
    ASSERT_TRUE(w->wsi != NULL);
    w->tx[w->ntx++] = strdup(text);
    lws_callback_on_writable(w->wsi);
}

void
wsc_close(struct wsc *w, int code)
{
    w->close_code = code;
    lws_callback_on_writable(w->wsi);
    WSC_WAIT(w, w->closed, 5000);
}

int
msg_op(const struct wsc *w, int i)
{
    return cJSON_GetObjectItem(w->msgs[i], "op")->valueint;
}

const char *
msg_t(const struct wsc *w, int i)
{
    const cJSON *t = cJSON_GetObjectItem(w->msgs[i], "t");
    return cJSON_IsString(t) ? t->valuestring : "";
}

int64_t
msg_s(const struct wsc *w, int i)
{
    const cJSON *s = cJSON_GetObjectItem(w->msgs[i], "s");
    return cJSON_IsNumber(s) ? (int64_t)s->valuedouble : -1;
}

const cJSON *
msg_d(const struct wsc *w, int i)
{
    return cJSON_GetObjectItem(w->msgs[i], "d");
}

/* Connect, check Hello, Identify, wait for READY + GUILD_CREATE. Returns
 * the session id (caller frees). */
char *
connect_identify(struct wsc *w, fakecord *fc, int compressed)
{
    static const char *const path[] = {
        "/?v=10&encoding=json",
        "/?v=10&encoding=json&compress=zlib-stream",
        "/?v=10&encoding=json&compress=zstd-stream",
    };

    wsc_open(w, fakecord_port(fc), path[compressed], compressed);
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

fakecord *
fc_start_default(void)
{
    struct fakecord_opts o = { .heartbeat_interval_ms = 45000 };
    fakecord *fc = fakecord_start(&o);

    ASSERT_TRUE(fc != NULL);
    ASSERT_TRUE(fakecord_port(fc) > 0);
    return fc;
}

/* ---- REST helper ------------------------------------------------------- */

size_t
resp_on_body(char *p, size_t sz, size_t n, void *arg)
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

int
rest_call(fakecord *fc, const char *method, const char *path, const char *auth,
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
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, resp_on_body);
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

void
fc_test_init(void)
{
    lws_set_log_level(LLL_ERR, NULL);
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void
fc_test_cleanup(void)
{
    curl_global_cleanup();
}
