/*
 * http.c: /healthz and /metrics on the loop.
 *
 * DESIGN. The listener is a second lws vhost on the bot's context, so it
 * costs no thread and sees bot state without locks: every request is
 * answered from the loop thread, where the numbers live. The vhost has one
 * protocol; lws routes every HTTP request to it. On LWS_CALLBACK_HTTP the
 * handler computes the whole body at once (a few KB), the headers go out,
 * and the body follows from HTTP_WRITEABLE in pieces of at most WRITE_MAX
 * bytes, so a slow client never makes lws buffer much. Keep-alive works:
 * lws_http_transaction_completed() resets the connection for the next
 * request.
 *
 * Only GET and HEAD are served (others get 405); the listener binds
 * 127.0.0.1 unless configured otherwise, since metrics are not for the
 * public internet.
 */
#include "http.h"

#include "log.h"

#include <dbot/dbot.h>

#include <libwebsockets.h>

#include <stdlib.h>
#include <string.h>

#define WRITE_MAX 8192

struct dbot__http {
    struct lws_vhost *vh;
    dbot__http_handler_fn fn;
    void *ud;
    int port;
};

struct http_session {
    char *body;
    size_t len, off;
    int status;
    int head;
    const char *ctype;
};

static int
send_headers(struct lws *wsi, struct http_session *s)
{
    unsigned char buf[LWS_PRE + 512];
    unsigned char *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf;

    if (lws_add_http_common_headers(wsi, (unsigned)s->status, s->ctype,
                                    (lws_filepos_t)s->len, &p, end) ||
        lws_add_http_header_by_name(
            wsi, (const unsigned char *)"cache-control:",
            (const unsigned char *)"no-store", 8, &p, end) ||
        lws_finalize_write_http_header(wsi, start, &p, end))
        return -1;
    if (s->head || s->len == 0)
        return lws_http_transaction_completed(wsi) ? -1 : 0;
    lws_callback_on_writable(wsi);
    return 0;
}

static int
on_request(struct dbot__http *h, struct lws *wsi, struct http_session *s,
           const char *path)
{
    s->head = lws_hdr_total_length(wsi, WSI_TOKEN_HEAD_URI) > 0;
    if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) <= 0 && !s->head) {
        s->status = HTTP_STATUS_METHOD_NOT_ALLOWED;
        s->body = strdup("only GET and HEAD\n");
        s->ctype = "text/plain; charset=utf-8";
    } else {
        s->status = h->fn(h->ud, path, &s->body, &s->len, &s->ctype);
    }
    if (s->body && s->status == HTTP_STATUS_METHOD_NOT_ALLOWED)
        s->len = strlen(s->body);
    if (!s->ctype)
        s->ctype = "text/plain; charset=utf-8";
    return send_headers(wsi, s);
}

static int
on_writeable(struct lws *wsi, struct http_session *s)
{
    unsigned char buf[LWS_PRE + WRITE_MAX];
    size_t n = s->len - s->off;
    enum lws_write_protocol kind = LWS_WRITE_HTTP_FINAL;

    if (!s->body || n == 0)
        return 0;
    if (n > WRITE_MAX) {
        n = WRITE_MAX;
        kind = LWS_WRITE_HTTP;
    }
    memcpy(buf + LWS_PRE, s->body + s->off, n);
    if (lws_write(wsi, buf + LWS_PRE, n, kind) < (int)n)
        return -1;
    s->off += n;
    if (s->off < s->len) {
        lws_callback_on_writable(wsi);
        return 0;
    }
    free(s->body);
    s->body = NULL;
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int
http_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
        size_t len)
{
    struct http_session *s = user;
    struct dbot__http *h;

    switch (reason) {
    case LWS_CALLBACK_HTTP:
        h = lws_vhost_user(lws_get_vhost(wsi));
        if (!h)
            return -1;
        free(s->body);
        memset(s, 0, sizeof *s);
        return on_request(h, wsi, s, in ? (const char *)in : "/");
    case LWS_CALLBACK_HTTP_WRITEABLE:
        return on_writeable(wsi, s);
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
    case LWS_CALLBACK_CLOSED_HTTP:
        if (s) {
            free(s->body);
            s->body = NULL;
        }
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

static const struct lws_protocols http_protocols[] = {
    { "dbot-http", http_cb, sizeof(struct http_session), 0, 0, NULL, 0 },
    { NULL, NULL, 0, 0, 0, NULL, 0 },
};

int
dbot__http_start(struct dbot__http **out, struct lws_context *ctx,
                 const char *host, int port, dbot__http_handler_fn fn, void *ud)
{
    struct lws_context_creation_info info;
    struct dbot__http *h = calloc(1, sizeof *h);

    *out = NULL;
    if (!h)
        return DBOT_ENOMEM;
    h->fn = fn;
    h->ud = ud;
    memset(&info, 0, sizeof info);
    info.vhost_name = "dbot-http";
    info.port = port;
    info.iface = host;
    info.protocols = http_protocols;
    info.user = h;
    info.keepalive_timeout = 5;
    info.timeout_secs = 10;
    h->vh = lws_create_vhost(ctx, &info);
    if (!h->vh) {
        LOG_E("http",
              "cannot listen on %s:%d (address in use, or not a "
              "local address?)",
              host, port);
        free(h);
        return DBOT_EIO;
    }
    h->port = lws_get_vhost_listen_port(h->vh);
    LOG_I("http", "serving /healthz and /metrics on %s:%d", host, h->port);
    *out = h;
    return 0;
}

int
dbot__http_port(const struct dbot__http *h)
{
    return h ? h->port : -1;
}

void
dbot__http_stop(struct dbot__http *h)
{
    if (!h)
        return;
    lws_vhost_destroy(h->vh);
    free(h);
}
