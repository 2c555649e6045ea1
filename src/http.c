/*
 * http.c: /healthz and /metrics on the loop.
 *
 * DESIGN. The listener is a second lws vhost on the bot's context, so it
 * costs no thread and sees bot state without locks: every request is
 * answered from the loop thread, where the numbers live. On
 * LWS_CALLBACK_HTTP the handler computes the whole body at once (a few KB),
 * the headers go out, and the body follows from HTTP_WRITEABLE in pieces of
 * at most WRITE_MAX bytes, so a slow client never makes lws buffer much.
 * Keep-alive works: lws_http_transaction_completed() resets the connection
 * for the next request. What each request gets is decided by the pure
 * dbot__http_decide() (http_request.c): GET and HEAD are served, an
 * Upgrade, a body or another method gets a 4xx and a close.
 *
 * POSTs (the interactions endpoint, when opts.post_fn is set). The body is
 * read into the session up to the Content-Length the verdict accepted
 * (never more: a client sending past it is cut off), then handed to
 * post_fn with the headers it asked for. Its answer may come later: an
 * exchange (struct dbot__http_exchange) stands for the request until the
 * answer is out or the connection ends, and tells its watcher which
 * happened. Headers and body go out from HTTP_WRITEABLE, so an answer
 * given from a timer or a REST completion is written in lws's own turn.
 *
 * A monitoring port must never cost the bot its gateway, so this file, not
 * lws, owns the listening socket. lws's own listener accepts for as long as
 * the kernel has connections, with no cap, and when accept() fails (EMFILE)
 * it logs and returns to poll(), which reports the same connection again at
 * once: a spin. Here the socket is adopted as a raw descriptor; when it is
 * readable we accept up to ACCEPT_BATCH connections ourselves and
 *
 *  - refuse (503, close) a connection over max_connections or over
 *    max_per_ip from its address;
 *  - refuse one whose descriptor is among the top `fd_reserve` numbers
 *    below RLIMIT_NOFILE. accept() returns the lowest free number, so the
 *    listener never holds one of those: they stay for the gateway, REST and
 *    the user's code, whatever the listener is sent;
 *  - on an accept() error (EMFILE, ENFILE, ENOBUFS, ...) stop polling the
 *    socket (lws_rx_flow_control) and retry after a backoff of 50 ms
 *    doubling to 2 s; pending clients wait in the kernel's queue meanwhile.
 *    One warning per failing streak, one line when accepting again.
 *
 * Accepted sockets are adopted into the vhost as HTTP connections with a
 * `struct conn` as their opaque user data: it counts them (freed on
 * LWS_CALLBACK_WSI_DESTROY, which lws sends for every wsi it frees) and
 * carries a deadline (a sul) armed when the connection arrives and again
 * whenever an answer completes. Whatever state the connection is in
 * (nothing sent, half a request, an answer the client does not read, idle
 * keep-alive, anything lws might turn it into), at the deadline it is
 * closed. Refusals are logged through a collapser (log_repeat.c): a run
 * of the same refusal is one line per window, however many arrive.
 */
#include "http.h"
#include "clock.h"

#include "http_request.h"
#include "log.h"
#include "log_repeat.h"

#include <dbot/dbot.h>

#include <libwebsockets.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define WRITE_MAX      8192
#define ACCEPT_BATCH   32    /* accepts per wakeup; the loop has other work */
#define LISTEN_BACKLOG 64    /* the kernel queues this many meanwhile */
#define BACKOFF_MIN_MS 50    /* first pause after an accept() error */
#define BACKOFF_MAX_MS 2000  /* longest pause */
#define FD_RESERVE_MAX 64    /* descriptors kept from the listener */
#define FD_SOFT_MAX    65536 /* lws allocates tables of this many */

static const char busy_reply[] = "HTTP/1.1 503 Service Unavailable\r\n"
                                 "Content-Type: text/plain; charset=utf-8\r\n"
                                 "Content-Length: 21\r\n"
                                 "Retry-After: 1\r\n"
                                 "Connection: close\r\n\r\n"
                                 "too many connections\n";

/* One accepted connection; owned by the listener, freed when lws frees its
 * wsi. */
struct conn {
    struct conn *next, *prev;
    struct dbot__http *h;
    struct lws *wsi;            /* NULL until adopted */
    lws_sorted_usec_list_t sul; /* the current request's deadline */
    int family;
    unsigned char addr[16]; /* peer address, for the per-IP count */
};

/* A POST waiting for its answer; owned by its session (s->x), freed when
 * the answer is out or the connection ends, after its watcher heard. */
struct dbot__http_exchange {
    struct lws *wsi;
    struct http_session *s;
    dbot__http_watch_fn watch;
    void *watch_arg;
    int answered;
};

struct dbot__http {
    struct lws_context *ctx;
    struct lws_vhost *vh;
    struct lws *lwsi; /* the listening socket's wsi; NULL once closed */
    dbot__http_handler_fn fn;
    dbot__http_post_fn post_fn;
    size_t max_body;
    const char *post_headers[DBOT__HTTP_HDR_MAX];
    const char *what; /* "/healthz and /metrics", for log lines */
    void *ud;
    int port;
    int max_conns, max_per_ip, timeout_ms; /* [const] */
    int fd_limit, fd_reserve;              /* [const] RLIMIT_NOFILE, kept */

    struct conn *conns; /* open connections */
    int nconns;

    lws_sorted_usec_list_t resume_sul; /* accept again after an error */
    int backoff_ms;                    /* 0: accepting */
    unsigned long failed_accepts;      /* in the current failing streak */

    struct dbot__log_repeat refusals; /* collapses a flood's lines */
    lws_sorted_usec_list_t flush_sul; /* reports a held refusal count */
    int flush_armed;

    struct dbot__http_stats st;
};

struct http_session {
    char *body;
    size_t len, off;
    int status;
    int head;
    int close; /* close once the answer is out */
    const char *ctype;

    /* A POST: its body as read so far, then its exchange. */
    char *in;
    size_t in_len, in_want;
    char path[DBOT__HTTP_PATH_MAX + 1];
    char hdr[DBOT__HTTP_HDR_MAX][DBOT__HTTP_HDR_VALUE_MAX + 1];
    int have_hdr[DBOT__HTTP_HDR_MAX];
    struct dbot__http_exchange *x;
    int hdrs_pending; /* an answer was given; its headers are not out */
};

static const int status_slots[DBOT__HTTP_STATUS_SLOTS] = {
    200, 202, 204, 400, 401, 404, 405, 409, 411, 413, 414, 500, 503, 0,
};

int
dbot__http_status_of_slot(int i)
{
    return i >= 0 && i < DBOT__HTTP_STATUS_SLOTS ? status_slots[i] : 0;
}

static void
count_status(struct dbot__http *h, int status)
{
    int i = 0;

    if (!h)
        return;
    while (i < DBOT__HTTP_STATUS_SLOTS - 1 && status_slots[i] != status)
        i++;
    h->st.by_status[i]++;
}

/* Tell the exchange's watcher what became of it, and free it. */
static void
exchange_end(struct http_session *s, enum dbot__http_outcome o)
{
    struct dbot__http_exchange *x = s->x;

    if (!x)
        return;
    s->x = NULL;
    if (x->watch)
        x->watch(x->watch_arg, o);
    free(x);
}

/* The session's request is over or the connection is going: free what it
 * holds; a pending exchange hears LOST. */
static void
session_reset(struct http_session *s)
{
    exchange_end(s, DBOT__HTTP_LOST);
    free(s->body);
    free(s->in);
    s->body = s->in = NULL;
}

/* ---- connections -------------------------------------------------------- */

static void
log_out(void *ud, int level, const char *line)
{
    (void)ud;
    dbot_log(level, "http", "%s", line);
}

static void
flush_cb(lws_sorted_usec_list_t *sul)
{
    struct dbot__http *h = lws_container_of(sul, struct dbot__http, flush_sul);

    dbot__log_repeat_flush(&h->refusals, dbot__clock_ms(), log_out, NULL);
    /* Lines held since a summary restarted the window: report them at its
     * end. Only the loop uses this collapser, so no lock is needed. */
    h->flush_armed = h->refusals.repeats != 0;
    if (h->flush_armed)
        lws_sul_schedule(h->ctx, 0, &h->flush_sul, flush_cb,
                         (lws_usec_t)h->refusals.window_ms * LWS_US_PER_MS);
}

/* Log a refusal; a flood of them becomes one line per window. */
static void
log_refusal(struct dbot__http *h, const char *line)
{
    if (dbot__log_repeat_feed(&h->refusals, DBOT_LOG_WARN, line,
                              dbot__clock_ms(), log_out, NULL) &&
        !h->flush_armed) {
        h->flush_armed = 1;
        lws_sul_schedule(h->ctx, 0, &h->flush_sul, flush_cb,
                         (lws_usec_t)h->refusals.window_ms * LWS_US_PER_MS);
    }
}

static void
deadline_cb(lws_sorted_usec_list_t *sul)
{
    struct conn *c = lws_container_of(sul, struct conn, sul);

    c->h->st.timeouts++;
    LOG_D("http",
          "closing a connection: no complete request and answer "
          "within %d ms",
          c->h->timeout_ms);
    /* Closed on the next service turn, not under our feet. */
    lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

static void
arm_deadline(struct conn *c)
{
    lws_sul_schedule(c->h->ctx, 0, &c->sul, deadline_cb,
                     (lws_usec_t)c->h->timeout_ms * LWS_US_PER_MS);
}

static void
conn_unlink_free(struct conn *c)
{
    struct dbot__http *h = c->h;

    lws_sul_cancel(&c->sul);
    if (c->prev)
        c->prev->next = c->next;
    else
        h->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    h->nconns--;
    free(c);
}

static int
same_addr(const struct conn *c, int family, const unsigned char *addr)
{
    return c->family == family &&
           memcmp(c->addr, addr, family == AF_INET ? 4 : 16) == 0;
}

/* Take the peer's address out of `ss` into family/addr. */
static void
peer_of(const struct sockaddr_storage *ss, int *family, unsigned char *addr)
{
    memset(addr, 0, 16);
    *family = ss->ss_family;
    if (ss->ss_family == AF_INET)
        memcpy(addr, &((const struct sockaddr_in *)ss)->sin_addr, 4);
    else if (ss->ss_family == AF_INET6)
        memcpy(addr, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
}

/* Why connection `fd` from `addr` may not be kept (counted), or NULL. */
static const char *
refusal(struct dbot__http *h, int fd, int family, const unsigned char *addr)
{
    int from_peer = 0;

    if (fd >= h->fd_limit - h->fd_reserve) {
        h->st.refused_fds++;
        return "refusing connections: the process is near its file "
               "descriptor limit (kept for the gateway and REST)";
    }
    if (h->nconns >= h->max_conns) {
        h->st.refused_busy++;
        return "refusing connections: http_max_connections are open";
    }
    for (const struct conn *c = h->conns; c; c = c->next)
        from_peer += same_addr(c, family, addr);
    if (from_peer >= h->max_per_ip) {
        h->st.refused_busy++;
        return "refusing connections: http_max_per_ip are open from one "
               "address";
    }
    return NULL;
}

/* Answer 503 and close. The reply fits any fresh socket's send buffer, and
 * the socket is non-blocking, so this never waits. */
static void
refuse_fd(int fd)
{
    ssize_t n = send(fd, busy_reply, sizeof busy_reply - 1,
                     MSG_DONTWAIT | MSG_NOSIGNAL);

    (void)n; /* best effort: the close says the same */
    close(fd);
}

static void
adopt(struct dbot__http *h, int fd, int family, const unsigned char *addr)
{
    struct conn *c = calloc(1, sizeof *c);
    struct lws *wsi;

    if (!c) {
        refuse_fd(fd);
        return;
    }
    c->h = h;
    c->family = family;
    memcpy(c->addr, addr, sizeof c->addr);
    c->next = h->conns;
    if (h->conns)
        h->conns->prev = c;
    h->conns = c;
    h->nconns++;
    /* On failure lws has closed fd (lws-adopt.h). A wsi it created and
     * freed meanwhile had no opaque data yet, so WSI_DESTROY left c alone. */
    wsi = lws_adopt_socket_vhost(h->vh, fd);
    if (!wsi) {
        log_refusal(h, "could not adopt a connection (out of memory?)");
        conn_unlink_free(c);
        return;
    }
    c->wsi = wsi;
    lws_set_opaque_user_data(wsi, c);
    h->st.accepted++;
    arm_deadline(c);
}

/* ---- the listening socket ------------------------------------------------ */

static void
resume_cb(lws_sorted_usec_list_t *sul)
{
    struct dbot__http *h = lws_container_of(sul, struct dbot__http, resume_sul);

    if (h->lwsi)
        lws_rx_flow_control(h->lwsi, 1);
}

/* accept() failed with `err`: stop polling the socket for a while, so a
 * condition that persists (no descriptors) costs a retry per backoff, not a
 * loop turn. */
static void
accept_failed(struct dbot__http *h, int err)
{
    h->st.accept_errors++;
    if (h->failed_accepts++ == 0)
        LOG_W("http", "accept failed: %s; pausing the listener", strerror(err));
    h->backoff_ms = h->backoff_ms ? h->backoff_ms * 2 : BACKOFF_MIN_MS;
    if (h->backoff_ms > BACKOFF_MAX_MS)
        h->backoff_ms = BACKOFF_MAX_MS;
    lws_rx_flow_control(h->lwsi, 0);
    lws_sul_schedule(h->ctx, 0, &h->resume_sul, resume_cb,
                     (lws_usec_t)h->backoff_ms * LWS_US_PER_MS);
}

static void
accept_some(struct dbot__http *h)
{
    int lfd = lws_get_socket_fd(h->lwsi);

    for (int i = 0; i < ACCEPT_BATCH; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        unsigned char addr[16];
        const char *why;
        int fd, family;

        fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
                continue; /* that client is gone; try the next */
            accept_failed(h, errno);
            return;
        }
        if (h->failed_accepts) {
            LOG_I("http", "accepting again after %lu failed accepts",
                  h->failed_accepts);
            h->failed_accepts = 0;
        }
        h->backoff_ms = 0;
        peer_of(&ss, &family, addr);
        why = refusal(h, fd, family, addr);
        if (why) {
            refuse_fd(fd);
            log_refusal(h, why);
            continue;
        }
        adopt(h, fd, family, addr);
    }
}

static int
listen_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
          void *in, size_t len)
{
    /* Not lws_vhost_user(): lws may call after dbot__http_stop() freed h
     * (the vhost dies with the context); stop clears this pointer. */
    struct dbot__http *h = lws_get_opaque_user_data(wsi);

    switch (reason) {
    case LWS_CALLBACK_RAW_RX_FILE:
        if (h)
            accept_some(h);
        return 0;
    case LWS_CALLBACK_RAW_CLOSE_FILE:
        /* Only an error on the socket gets here while h lives (stop
         * clears the pointer first): say so, as nothing else will. */
        if (h) {
            LOG_E("http", "the listening socket failed; %s no longer served",
                  h->what);
            h->lwsi = NULL;
            lws_sul_cancel(&h->resume_sul);
        }
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

/* A listening socket on host:port; -1 with *err set. */
static int
open_listener(const char *host, int port, int *bound, int *err)
{
    struct sockaddr_storage ss;
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    socklen_t sl;
    int fd, one = 1;

    memset(&ss, 0, sizeof ss);
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        sl = sizeof *a4;
    } else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        sl = sizeof *a6;
    } else {
        *err = EINVAL;
        return -1;
    }
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *err = errno;
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ss.ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, sl) < 0 ||
        listen(fd, LISTEN_BACKLOG) < 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
        *err = errno;
        close(fd);
        return -1;
    }
    *bound = ntohs(ss.ss_family == AF_INET ? a4->sin_port : a6->sin6_port);
    return fd;
}

/* ---- requests ------------------------------------------------------------ */

/* The request as lws parsed it, for dbot__http_decide(); the target is
 * copied into uri[URI_MAX]. `upgrade` is the Upgrade header's value when
 * lws asks to confirm one. */
#define URI_MAX 4096 /* lws's whole header space by default */
static void
read_request(struct lws *wsi, struct dbot__http_req *rq, const char *upgrade,
             char *uri)
{
    static const struct {
        enum lws_token_indexes tok;
        const char *name;
    } methods[] = {
        { WSI_TOKEN_GET_URI, "GET" },
        { WSI_TOKEN_HEAD_URI, "HEAD" },
        { WSI_TOKEN_POST_URI, "POST" },
    };
    char cl[24];

    memset(rq, 0, sizeof *rq);
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        int n = lws_hdr_total_length(wsi, methods[i].tok);

        if (n > 0) {
            rq->method = methods[i].name;
            rq->method_len = strlen(methods[i].name);
            n = lws_hdr_copy(wsi, uri, URI_MAX, methods[i].tok);
            if (n > 0) {
                rq->uri = uri;
                rq->uri_len = (size_t)n;
            }
            break;
        }
    }
    rq->upgrade = upgrade;
    rq->upgrade_len = upgrade ? strlen(upgrade) : 0;
    rq->content_length = -1;
    if (lws_hdr_copy(wsi, cl, sizeof cl, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0)
        rq->content_length = dbot__http_content_length(cl);
    rq->chunked =
        lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0;
}

/* The current answer is out: close, or wait for the next request under a
 * fresh deadline. */
static int
answered(struct lws *wsi, struct http_session *s)
{
    struct conn *c = lws_get_opaque_user_data(wsi);

    exchange_end(s, DBOT__HTTP_SENT);
    if (s->close || lws_http_transaction_completed(wsi))
        return -1;
    if (c)
        arm_deadline(c);
    return 0;
}

/* The headers, and with them a body of up to WRITE_MAX bytes: one write,
 * so the answer is one segment (a second small write would wait for the
 * client's delayed ACK under Nagle: tens of ms per answer). A longer body
 * follows from HTTP_WRITEABLE. */
static int
send_headers(struct lws *wsi, struct http_session *s)
{
    unsigned char buf[LWS_PRE + 512 + WRITE_MAX];
    unsigned char *start = buf + LWS_PRE, *p = start, *end = buf + 512;
    struct conn *c = lws_get_opaque_user_data(wsi);
    int whole = !s->head && s->len > 0 && s->len <= WRITE_MAX;

    count_status(c ? c->h : NULL, s->status);
    if (lws_add_http_common_headers(wsi, (unsigned)s->status, s->ctype,
                                    (lws_filepos_t)s->len, &p, end) ||
        lws_add_http_header_by_name(
            wsi, (const unsigned char *)"cache-control:",
            (const unsigned char *)"no-store", 8, &p, end) ||
        (s->close && lws_add_http_header_by_token(
                         wsi, WSI_TOKEN_CONNECTION,
                         (const unsigned char *)"close", 5, &p, end)))
        return -1;
    if (whole) {
        if (lws_finalize_http_header(wsi, &p, end))
            return -1;
        memcpy(p, s->body, s->len);
        p += s->len;
        if (lws_write(wsi, start, (size_t)(p - start), LWS_WRITE_HTTP_FINAL) <
            (int)(p - start))
            return -1;
        free(s->body);
        s->body = NULL;
        return answered(wsi, s);
    }
    if (lws_finalize_write_http_header(wsi, start, &p, end))
        return -1;
    if (s->head || s->len == 0)
        return answered(wsi, s);
    lws_callback_on_writable(wsi);
    return 0;
}

/* Answer a refusal at once, headers and its short body in one go, so the
 * caller may close right after (an upgrade cannot wait for WRITEABLE). */
static int
send_refusal(struct lws *wsi, struct http_session *s,
             const struct dbot__http_verdict *v)
{
    unsigned char buf[LWS_PRE + 1024];
    unsigned char *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf;
    size_t blen = strlen(v->body);
    struct conn *c = lws_get_opaque_user_data(wsi);

    count_status(c ? c->h : NULL, v->status);
    s->status = v->status;
    s->close = v->close;
    if (lws_add_http_common_headers(wsi, (unsigned)v->status,
                                    "text/plain; charset=utf-8",
                                    (lws_filepos_t)blen, &p, end) ||
        (v->close && lws_add_http_header_by_token(
                         wsi, WSI_TOKEN_CONNECTION,
                         (const unsigned char *)"close", 5, &p, end)) ||
        lws_finalize_http_header(wsi, &p, end))
        return -1;
    if (!v->head && (size_t)(end - p) >= blen) {
        memcpy(p, v->body, blen);
        p += blen;
    }
    if (lws_write(wsi, start, (size_t)(p - start), LWS_WRITE_HTTP_FINAL) <
        (int)(p - start))
        return -1;
    return answered(wsi, s);
}

/* ---- POSTs ----------------------------------------------------------------
 */

/* Hand the whole body to post_fn as an exchange. */
static int
post_deliver(struct dbot__http *h, struct lws *wsi, struct http_session *s)
{
    const char *hdr[DBOT__HTTP_HDR_MAX];
    struct dbot__http_exchange *x = calloc(1, sizeof *x);

    if (!x)
        return -1;
    x->wsi = wsi;
    x->s = s;
    s->x = x;
    for (int i = 0; i < DBOT__HTTP_HDR_MAX; i++)
        hdr[i] = s->have_hdr[i] ? s->hdr[i] : NULL;
    s->in[s->in_len] = '\0';
    h->post_fn(h->ud, x, s->path, hdr, s->in, s->in_len);
    free(s->in);
    s->in = NULL;
    return 0;
}

/* A POST was accepted: keep what post_fn will need from the headers (lws
 * reuses their space for the body) and wait for the body. */
static int
post_begin(struct dbot__http *h, struct lws *wsi, struct http_session *s,
           const char *path, size_t len)
{
    snprintf(s->path, sizeof s->path, "%s", path);
    for (int i = 0; i < DBOT__HTTP_HDR_MAX && h->post_headers[i]; i++) {
        const char *name = h->post_headers[i];
        int nl = (int)strlen(name);
        int n = lws_hdr_custom_length(wsi, name, nl);

        s->have_hdr[i] = n > 0 && n <= DBOT__HTTP_HDR_VALUE_MAX &&
                         lws_hdr_custom_copy(wsi, s->hdr[i], sizeof s->hdr[i],
                                             name, nl) == n;
    }
    s->in_want = len;
    s->in_len = 0;
    s->in = malloc(len + 1);
    if (!s->in)
        return -1;
    if (len == 0) /* lws reports no body then */
        return post_deliver(h, wsi, s);
    return 0;
}

static int
post_body(struct http_session *s, const void *in, size_t len)
{
    if (!s->in || len > s->in_want - s->in_len)
        return -1; /* past the Content-Length it announced */
    memcpy(s->in + s->in_len, in, len);
    s->in_len += len;
    return 0;
}

void
dbot__http_watch(struct dbot__http_exchange *x, dbot__http_watch_fn fn,
                 void *arg)
{
    x->watch = fn;
    x->watch_arg = arg;
}

int
dbot__http_answer(struct dbot__http_exchange *x, int status, const char *ctype,
                  char *body, size_t len)
{
    struct http_session *s = x->s;

    if (x->answered) {
        free(body);
        return DBOT_ESTATE;
    }
    x->answered = 1;
    free(s->body);
    s->body = body;
    s->len = body ? len : 0;
    s->off = 0;
    s->status = status;
    s->ctype = ctype ? ctype : "text/plain; charset=utf-8";
    s->hdrs_pending = 1;
    lws_callback_on_writable(x->wsi);
    return 0;
}

static int
on_request(struct dbot__http *h, struct lws *wsi, struct http_session *s)
{
    struct dbot__http_req rq;
    struct dbot__http_verdict v;
    char path[DBOT__HTTP_PATH_MAX + 1], uri[URI_MAX];

    read_request(wsi, &rq, NULL, uri);
    rq.max_body = h->post_fn ? h->max_body : 0;
    dbot__http_decide(&rq, &v);
    if (v.status)
        return send_refusal(wsi, s, &v);
    memcpy(path, v.path, v.path_len);
    path[v.path_len] = '\0';
    if (v.post)
        return post_begin(h, wsi, s, path, v.body_len);
    s->head = v.head;
    s->status = h->fn(h->ud, path, &s->body, &s->len, &s->ctype);
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

    if (s->hdrs_pending) {
        s->hdrs_pending = 0;
        return send_headers(wsi, s);
    }
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
    return answered(wsi, s);
}

static int
http_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
        size_t len)
{
    struct http_session *s = user;
    struct conn *c = lws_get_opaque_user_data(wsi);
    struct dbot__http *h = c ? c->h : NULL; /* NULL once stopped */
    struct dbot__http_req rq;
    struct dbot__http_verdict v;
    char uri[URI_MAX];

    switch (reason) {
    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
        /* Returning 0 here, lws would answer 101 and keep the connection
         * as a WebSocket (or h2c) outside every limit. Refuse and hang
         * up. */
        read_request(wsi, &rq, in ? (const char *)in : "?", uri);
        dbot__http_decide(&rq, &v);
        /* No protocol is bound yet, so no session: answer from the stack
         * (the verdict closes, so nothing outlives the call). */
        send_refusal(wsi, &(struct http_session){ 0 }, &v);
        return -1;
    case LWS_CALLBACK_RAW_ADOPT:
    case LWS_CALLBACK_RAW_RX:
    case LWS_CALLBACK_ESTABLISHED:
        /* lws turns a CONNECT into a raw connection (raw_protocol_index 0
         * is this protocol), and would bind an accepted upgrade here: this
         * port serves neither. */
        return -1;
    case LWS_CALLBACK_HTTP:
        if (!h || !s)
            return -1;
        session_reset(s);
        memset(s, 0, sizeof *s);
        return on_request(h, wsi, s);
    case LWS_CALLBACK_HTTP_BODY:
        return s && !s->x ? post_body(s, in, len) : -1;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        if (!h || !s || !s->in || s->in_len != s->in_want)
            return -1;
        return post_deliver(h, wsi, s);
    case LWS_CALLBACK_HTTP_WRITEABLE:
        return s ? on_writeable(wsi, s) : -1;
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
    case LWS_CALLBACK_CLOSED_HTTP:
        if (s)
            session_reset(s);
        return 0;
    case LWS_CALLBACK_WSI_DESTROY:
        if (c) {
            lws_set_opaque_user_data(wsi, NULL);
            conn_unlink_free(c);
        }
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

static const struct lws_protocols http_protocols[] = {
    /* First: lws sends WSI_CREATE/WSI_DESTROY to protocols[0]. */
    { "dbot-http", http_cb, sizeof(struct http_session), 0, 0, NULL, 0 },
    { "dbot-http-listen", listen_cb, 0, 0, 0, NULL, 0 },
    { NULL, NULL, 0, 0, 0, NULL, 0 },
};

/* ---- lifecycle ----------------------------------------------------------- */

int
dbot__http_raise_fd_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return 1024;
    if (rl.rlim_cur < FD_SOFT_MAX && rl.rlim_cur < rl.rlim_max) {
        rlim_t want = rl.rlim_max < FD_SOFT_MAX ? rl.rlim_max : FD_SOFT_MAX;
        struct rlimit nl = { want, rl.rlim_max };

        if (setrlimit(RLIMIT_NOFILE, &nl) == 0)
            rl.rlim_cur = want;
    }
    return rl.rlim_cur > INT32_MAX ? INT32_MAX : (int)rl.rlim_cur;
}

static int
fd_limit_now(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur > INT32_MAX)
        return INT32_MAX;
    return (int)rl.rlim_cur;
}

int
dbot__http_start(struct dbot__http **out, struct lws_context *ctx,
                 const struct dbot__http_opts *o, dbot__http_handler_fn fn,
                 void *ud)
{
    struct lws_context_creation_info info;
    struct dbot__http *h;
    lws_sock_file_fd_type lfd;
    int err = 0;

    *out = NULL;
    h = calloc(1, sizeof *h);
    if (!h)
        return DBOT_ENOMEM;
    h->ctx = ctx;
    h->fn = fn;
    h->ud = ud;
    h->post_fn = o->post_fn;
    h->max_body = o->max_body;
    memcpy(h->post_headers, o->post_headers, sizeof h->post_headers);
    h->what = o->what ? o->what : "/healthz and /metrics";
    h->max_conns = o->max_connections > 0 ? o->max_connections : 16;
    h->max_per_ip = o->max_per_ip > 0 ? o->max_per_ip : h->max_conns;
    h->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 5000;
    h->fd_limit = fd_limit_now();
    h->fd_reserve =
        h->fd_limit / 4 < FD_RESERVE_MAX ? h->fd_limit / 4 : FD_RESERVE_MAX;
    dbot__log_repeat_init(&h->refusals, 0);

    lfd.sockfd = open_listener(o->host, o->port, &h->port, &err);
    if (lfd.sockfd < 0) {
        LOG_E("http",
              "cannot listen on %s:%d: %s (address in use, or not a local "
              "address?)",
              o->host, o->port, strerror(err));
        dbot__log_repeat_close(&h->refusals, log_out, NULL);
        free(h);
        return err == EINVAL ? DBOT_EINVAL : DBOT_EIO;
    }
    memset(&info, 0, sizeof info);
    info.vhost_name = "dbot-http";
    /* A server vhost without a listener of its own: ours is adopted. */
    info.port = CONTEXT_PORT_NO_LISTEN_SERVER;
    info.protocols = http_protocols;
    /* Our deadline governs; lws's own idle timeout must not be shorter. */
    info.keepalive_timeout = h->timeout_ms / 1000 + 1;
    h->vh = lws_create_vhost(ctx, &info);
    if (h->vh)
        h->lwsi = lws_adopt_descriptor_vhost(h->vh, LWS_ADOPT_RAW_FILE_DESC,
                                             lfd, "dbot-http-listen", NULL);
    if (h->lwsi)
        lws_set_opaque_user_data(h->lwsi, h);
    if (!h->lwsi) {
        LOG_E("http", "cannot serve on %s:%d (out of memory?)", o->host,
              h->port);
        close(lfd.sockfd);
        dbot__http_stop(h);
        return DBOT_ENOMEM;
    }
    LOG_I("http",
          "serving %s on %s:%d (at most %d connections, %d per address, "
          "%d ms each)",
          h->what, o->host, h->port, h->max_conns, h->max_per_ip,
          h->timeout_ms);
    *out = h;
    return 0;
}

int
dbot__http_port(const struct dbot__http *h)
{
    return h ? h->port : -1;
}

void
dbot__http_stats(const struct dbot__http *h, struct dbot__http_stats *out)
{
    *out = h->st;
    out->open = h->nconns;
}

void
dbot__http_stop(struct dbot__http *h)
{
    if (!h)
        return;
    lws_sul_cancel(&h->resume_sul);
    lws_sul_cancel(&h->flush_sul);
    /* Close the listener and every connection now (we are not inside one
     * of their callbacks), so the port is free at once. Their opaque
     * pointers are cleared first: lws may still call about them until the
     * context goes, and h is freed below. */
    if (h->lwsi) {
        struct lws *l = h->lwsi;

        lws_set_opaque_user_data(l, NULL);
        h->lwsi = NULL;
        lws_set_timeout(l, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC);
    }
    while (h->conns) {
        struct conn *c = h->conns;

        if (c->wsi) {
            lws_set_opaque_user_data(c->wsi, NULL);
            lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC);
        }
        conn_unlink_free(c);
    }
    if (h->vh)
        lws_vhost_destroy(h->vh);
    dbot__log_repeat_close(&h->refusals, log_out, NULL);
    free(h);
}
