/*
 * gateway_conn.c: one gateway websocket (gateway_conn.h).
 *
 * DESIGN. A connection lives for one socket: its wsi, inflate context,
 * send queue, send-rate window and heartbeat. Every timer that acts on it
 * is embedded in it and cancelled when it dies, so a stale timer can never
 * touch a newer socket. It ends in exactly one place, conn_end(), called
 * from lws's CLOSED or CONNECTION_ERROR callback, or when resolving or
 * connecting fails before lws has a wsi; conn_end() tells the session how
 * it ended and frees the connection.
 *
 * Sending: payloads go to a queue and leave only from the WRITEABLE
 * callback, with LWS_PRE headroom. Heartbeats jump the queue, and the
 * limiter keeps a few of the 120 slots per 60 s in reserve for them. The
 * bot's own payloads are bounded (TXQ_MAX_MSGS, TXQ_MAX_BYTES); the
 * session's never are. A close we initiate also leaves from WRITEABLE,
 * with a real close frame.
 *
 * Receiving: every connection asks for transport compression (url.c):
 * zlib-stream, whose one inflate stream reassembles messages from the
 * 00 00 ff ff markers, or zstd-stream, whose one decoder delivers a
 * message at the last fragment of each websocket message. Either bounds
 * each message by max_message_bytes. The envelope is parsed into the
 * owner's arena (json_arena.h: no malloc per node); a message the owner
 * did not keep is rewound at once, the ones it kept (events) stay until
 * the owner frees their batch. A message that does not parse is logged and
 * skipped, and the session is told so it can watch for a sequence gap.
 *
 * Heartbeats: Hello starts them (the first after interval * jitter); a
 * beat written at least half an interval ago and still not acknowledged
 * when the next one is due means a zombie connection: closed 4000, and
 * the session resumes.
 */
#include "gateway_conn.h"
#include "gateway.h" /* dbot__gateway_lws_cb's prototype */

#include "clock.h"
#include "config.h"
#include "discord_limits.h"
#include "json_arena.h"
#include "log.h"
#include "loop.h"
#include "rand.h"
#include "resolve.h"
#include "url.h"
#include "zstd_stream.h"
#include "zstream.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define US_PER_MS         1000
#define MAX_PAYLOAD       DBOT__MAX_GW_PAYLOAD
#define SEND_LIMIT        DBOT__GW_SEND_LIMIT
#define SEND_WINDOW_MS    DBOT__GW_SEND_WINDOW_MS
#define HEARTBEAT_RESERVE 3
/* The bot's own payloads (dbot_shard_send, presence) that may wait in the
 * queue. Discord takes 120 sends a minute, so a bot that queues faster
 * than that would grow the queue forever: past one window's worth of
 * messages, or 128 KiB, the caller is told DBOT_EBUSY instead. */
#define TXQ_MAX_MSGS     SEND_LIMIT
#define TXQ_MAX_BYTES    (128 * 1024)
#define HELLO_TIMEOUT_MS 20000
/* A beat the server asks for (op 1) leaves at once unless one left less
 * than this long ago; then it waits for the rest of the gap. A server
 * that asks nonstop gets 12 extra beats a minute, not the whole send
 * budget, and a real op 1 is answered within 5 s by a beat no older than
 * that. */
#define OP1_MIN_GAP_MS   5000
#define CLOSE_TIMEOUT_MS 5000

struct txmsg {
    struct txmsg *next;
    size_t len;
    int heartbeat;
    int user; /* counted in txq_user_* */
    enum dbot__gw_tag tag;
    unsigned gen;
    unsigned char buf[]; /* LWS_PRE bytes of headroom, then the payload */
};

struct dbot__gw_conn {
    struct dbot__gw_conn_opts o;
    struct dbot__gw_conn_cbs cbs;
    struct lws_context *ctx;
    struct lws *wsi;
    struct dbot__resolve_req *dns;
    struct dbot__url url;
    uint64_t rng;
    int connecting; /* inside lws_client_connect_via_info */
    int connect_failed;
    int established;
    int hello_seen;
    int ended;

    struct dbot__zstream *z; /* zlib-stream, or */
    struct dbot__zstd *zs;   /* zstd-stream */
    int lost_frame;          /* a message failed to parse */

    struct txmsg *txq_head, *txq_tail;
    struct dbot__sendlimit sl;

    int64_t hb_interval_ms;
    int awaiting_ack;
    int64_t hb_sent_at;    /* the oldest beat not yet acknowledged */
    int64_t hb_written_at; /* the newest beat written, 0: none yet */
    int op1_waiting;       /* op1_sul is armed */

    int close_code; /* ours, once we decided to close (0: not yet) */
    enum dbot__gw_after after;
    int server_close_code;

    lws_sorted_usec_list_t hb_sul;    /* next heartbeat */
    lws_sorted_usec_list_t tx_sul;    /* send limit: retry writing */
    lws_sorted_usec_list_t guard_sul; /* Hello / close timeouts */
    lws_sorted_usec_list_t op1_sul;   /* a requested beat, held back */
};

static void
sched(struct dbot__gw_conn *c, lws_sorted_usec_list_t *sul, sul_cb_t cb,
      int64_t ms)
{
    lws_sul_schedule(c->ctx, 0, sul, cb,
                     (lws_usec_t)(ms < 0 ? 0 : ms) * US_PER_MS);
}

static double
rnd01(struct dbot__gw_conn *c)
{
    /* Jitter only, not security. */
    return (double)(dbot__rand_next(&c->rng) >> 11) / 9007199254740992.0;
}

int
dbot__gw_budget_take(struct dbot__gw_budget *b, size_t len)
{
    int rc = 0;

    pthread_mutex_lock(&b->mu);
    if (b->msgs >= TXQ_MAX_MSGS || b->bytes + len > TXQ_MAX_BYTES)
        rc = DBOT_EBUSY;
    else {
        b->msgs++;
        b->bytes += len;
    }
    pthread_mutex_unlock(&b->mu);
    return rc;
}

void
dbot__gw_budget_give(struct dbot__gw_budget *b, size_t len)
{
    pthread_mutex_lock(&b->mu);
    b->msgs--;
    b->bytes -= len;
    pthread_mutex_unlock(&b->mu);
}

void
dbot__gw_conn_cancel_timers(struct dbot__gw_conn *c)
{
    lws_sul_cancel(&c->hb_sul);
    lws_sul_cancel(&c->tx_sul);
    lws_sul_cancel(&c->guard_sul);
    lws_sul_cancel(&c->op1_sul);
}

void
dbot__gw_conn_free(struct dbot__gw_conn *c)
{
    struct txmsg *m, *next;

    if (!c)
        return;
    dbot__gw_conn_cancel_timers(c);
    if (c->dns)
        dbot__resolve_cancel(c->dns);
    if (c->wsi)
        lws_set_opaque_user_data(c->wsi, NULL);
    for (m = c->txq_head; m; m = next) {
        next = m->next;
        if (m->user)
            dbot__gw_budget_give(c->o.budget, m->len);
        free(m);
    }
    dbot__zstream_free(c->z);
    dbot__zstd_free(c->zs);
    free(c);
}

/* The one way out: free, then tell the session (which may open the next
 * connection from its callback). */
static void
conn_end(struct dbot__gw_conn *c)
{
    struct dbot__gw_conn_cbs cbs = c->cbs;
    struct dbot__gw_conn_end end = {
        .established = c->established,
        .server_close_code = c->server_close_code,
        .after = c->after,
    };

    if (c->ended)
        return;
    c->ended = 1;
    c->wsi = NULL;
    dbot__gw_conn_free(c);
    cbs.on_end(cbs.ud, &end);
}

/* ---- sending ----------------------------------------------------------- */

static int
queue_payload(struct dbot__gw_conn *c, const char *json, size_t len,
              int heartbeat, int user, enum dbot__gw_tag tag, unsigned gen)
{
    struct txmsg *m;

    if (len > MAX_PAYLOAD) {
        LOG_E("gateway", "shard %d: refusing a %zu-byte payload (limit %d)",
              c->o.shard_id, len, MAX_PAYLOAD);
        return DBOT_ETOOBIG;
    }
    /* Only the bot's own payloads are bounded: refusing a heartbeat,
     * Identify or Resume would cost the session, and they come at the
     * session's pace (one per interval, one per connection), not the
     * bot's. Heartbeats also come when the server asks (op 1), as often as
     * it likes: a new one replaces one still queued (it carries the newer
     * sequence number), so at most one ever waits. */
    if (heartbeat && c->txq_head && c->txq_head->heartbeat) {
        struct txmsg *old = c->txq_head;

        c->txq_head = old->next;
        if (c->txq_tail == old)
            c->txq_tail = NULL;
        free(old);
    }
    m = malloc(sizeof *m + LWS_PRE + len);
    if (!m)
        return DBOT_ENOMEM;
    m->next = NULL;
    m->len = len;
    m->heartbeat = heartbeat;
    m->user = user;
    m->tag = tag;
    m->gen = gen;
    memcpy(m->buf + LWS_PRE, json, len);
    if (heartbeat) {
        /* Heartbeats go first: a late one gets the socket closed. */
        m->next = c->txq_head;
        c->txq_head = m;
        if (!c->txq_tail)
            c->txq_tail = m;
    } else {
        if (c->txq_tail)
            c->txq_tail->next = m;
        else
            c->txq_head = m;
        c->txq_tail = m;
    }
    if (c->wsi)
        lws_callback_on_writable(c->wsi);
    return 0;
}

int
dbot__gw_conn_send(struct dbot__gw_conn *c, const char *json, size_t len,
                   enum dbot__gw_tx kind, enum dbot__gw_tag tag, unsigned gen)
{
    if (!c->wsi || c->close_code)
        return DBOT_ESTATE;
    return queue_payload(c, json, len, 0, kind == DBOT__GW_TX_USER, tag, gen);
}

int
dbot__gw_conn_closing(const struct dbot__gw_conn *c)
{
    return c->close_code != 0;
}

int
dbot__gw_conn_queued(const struct dbot__gw_conn *c)
{
    int n = 0;

    for (const struct txmsg *m = c->txq_head; m; m = m->next)
        n++;
    return n;
}

static void
tx_retry_cb(lws_sorted_usec_list_t *sul)
{
    struct dbot__gw_conn *c =
        lws_container_of(sul, struct dbot__gw_conn, tx_sul);

    if (c->wsi)
        lws_callback_on_writable(c->wsi);
}

static void
close_guard_cb(lws_sorted_usec_list_t *sul)
{
    struct dbot__gw_conn *c =
        lws_container_of(sul, struct dbot__gw_conn, guard_sul);

    if (!c->wsi)
        return;
    if (!c->hello_seen && !c->close_code) {
        LOG_W("gateway", "shard %d: no Hello within %d ms, reconnecting",
              c->o.shard_id, HELLO_TIMEOUT_MS);
        c->close_code = DBOT__GW_CLOSE_RESUMABLE;
        c->after = DBOT__GW_AFTER_RECONNECT;
        lws_callback_on_writable(c->wsi);
        sched(c, &c->guard_sul, close_guard_cb, CLOSE_TIMEOUT_MS);
        return;
    }
    /* The close frame could not be sent in time: drop the socket. */
    LOG_W("gateway", "shard %d: close did not complete, dropping the socket",
          c->o.shard_id);
    lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
}

void
dbot__gw_conn_close(struct dbot__gw_conn *c, int code,
                    enum dbot__gw_after after)
{
    if (c->close_code)
        return;
    c->close_code = code;
    c->after = after;
    lws_sul_cancel(&c->hb_sul);
    if (c->wsi) {
        lws_callback_on_writable(c->wsi);
        sched(c, &c->guard_sul, close_guard_cb, CLOSE_TIMEOUT_MS);
    } else if (!c->connecting) {
        /* Still resolving: nothing to close. */
        conn_end(c);
    }
}

static int
on_writeable(struct dbot__gw_conn *c)
{
    struct txmsg *m;
    int64_t now, wait;

    if (c->close_code) {
        const char *why = c->close_code == 1000 ? "bye" : "reconnecting";

        lws_close_reason(c->wsi, (enum lws_close_status)c->close_code,
                         (unsigned char *)why, strlen(why));
        return -1;
    }
    m = c->txq_head;
    if (!m)
        return 0;
    now = dbot__clock_ms();
    wait = dbot__sendlimit_wait(&c->sl, now, m->heartbeat);
    if (wait > 0) {
        LOG_D("gateway", "shard %d: send limit, waiting %lld ms", c->o.shard_id,
              (long long)wait);
        sched(c, &c->tx_sul, tx_retry_cb, wait);
        return 0;
    }
    if (lws_write(c->wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT) <
        (int)m->len) {
        LOG_W("gateway", "shard %d: write failed", c->o.shard_id);
        return -1;
    }
    dbot__sendlimit_record(&c->sl, now);
    if (m->heartbeat)
        c->hb_written_at = now;
    if (m->heartbeat && !c->awaiting_ack) {
        /* The oldest beat not yet acknowledged: the zombie check and the
         * latency count from it. */
        c->awaiting_ack = 1;
        c->hb_sent_at = now;
    }
    c->txq_head = m->next;
    if (!c->txq_head)
        c->txq_tail = NULL;
    if (m->user)
        dbot__gw_budget_give(c->o.budget, m->len);
    if (m->tag != DBOT__GW_TAG_NONE)
        c->cbs.on_written(c->cbs.ud, m->tag, m->gen);
    free(m);
    if (c->txq_head)
        lws_callback_on_writable(c->wsi);
    return 0;
}

/* ---- heartbeats --------------------------------------------------------- */

static void
send_heartbeat(struct dbot__gw_conn *c)
{
    char *hb = dbot__gw_heartbeat(*c->o.seq);

    if (!hb)
        return;
    /* The ACK clock starts when the beat is written (on_writeable), not
     * here: a beat queued behind the send limit is not late yet. */
    queue_payload(c, hb, strlen(hb), 1, 0, DBOT__GW_TAG_NONE, 0);
    free(hb);
}

static int
beat_queued(const struct dbot__gw_conn *c)
{
    return c->txq_head && c->txq_head->heartbeat;
}

static void
op1_cb(lws_sorted_usec_list_t *sul)
{
    struct dbot__gw_conn *c =
        lws_container_of(sul, struct dbot__gw_conn, op1_sul);

    c->op1_waiting = 0;
    if (!c->close_code && !beat_queued(c))
        send_heartbeat(c);
}

/* The server asked for a beat now (op 1); the timer keeps its rhythm. */
static void
beat_requested(struct dbot__gw_conn *c)
{
    int64_t since = dbot__clock_ms() - c->hb_written_at;

    if (beat_queued(c) || c->op1_waiting)
        return; /* that one answers this request too */
    if (!c->hb_written_at || since >= OP1_MIN_GAP_MS) {
        send_heartbeat(c);
        return;
    }
    c->op1_waiting = 1;
    sched(c, &c->op1_sul, op1_cb, OP1_MIN_GAP_MS - since);
}

static void
heartbeat_cb(lws_sorted_usec_list_t *sul)
{
    struct dbot__gw_conn *c =
        lws_container_of(sul, struct dbot__gw_conn, hb_sul);

    if (c->close_code)
        return;
    /* No ACK for a beat written at least half an interval ago: a zombie
     * connection. A beat the server asked for (op 1) a moment ago has
     * not had the time to be answered, and is no sign of one. */
    if (c->awaiting_ack &&
        dbot__clock_ms() - c->hb_sent_at >= c->hb_interval_ms / 2) {
        LOG_W("gateway",
              "shard %d: no heartbeat ACK in %lld ms, connection is zombied; "
              "reconnecting to resume",
              c->o.shard_id, (long long)(dbot__clock_ms() - c->hb_sent_at));
        dbot__gw_conn_close(c, DBOT__GW_CLOSE_RESUMABLE, DBOT__GW_AFTER_RESUME);
        return;
    }
    send_heartbeat(c);
    sched(c, &c->hb_sul, heartbeat_cb, c->hb_interval_ms);
}

static void
on_hello(struct dbot__gw_conn *c, const cJSON *d)
{
    const cJSON *iv = cJSON_GetObjectItemCaseSensitive(d, "heartbeat_interval");
    int64_t first;

    if (!cJSON_IsNumber(iv) || iv->valuedouble < 1 ||
        iv->valuedouble > 3600000) {
        LOG_W("gateway", "shard %d: Hello without a valid heartbeat_interval",
              c->o.shard_id);
        dbot__gw_conn_close(c, DBOT__GW_CLOSE_RESUMABLE,
                            DBOT__GW_AFTER_RECONNECT);
        return;
    }
    c->hello_seen = 1;
    lws_sul_cancel(&c->guard_sul);
    c->hb_interval_ms = (int64_t)iv->valuedouble;
    c->awaiting_ack = 0;
    /* First beat after interval * jitter, jitter in [0, 1). */
    first = (int64_t)((double)c->hb_interval_ms * rnd01(c));
    LOG_D("gateway", "shard %d: hello, heartbeat every %lld ms, first in %lld",
          c->o.shard_id, (long long)c->hb_interval_ms, (long long)first);
    sched(c, &c->hb_sul, heartbeat_cb, first);
    c->cbs.on_hello(c->cbs.ud);
}

/* ---- receiving ---------------------------------------------------------- */

static void
on_message(const char *text, size_t len, void *arg)
{
    struct dbot__gw_conn *c = arg;
    struct dbot__gw_msg m;
    char err[128];
    int kept = 0;

    if (c->close_code)
        return; /* closing: the rest is replayed on resume */
    if (dbot__gw_parse_in(*c->o.arena, text, len, &m, err, sizeof err) < 0) {
        LOG_W("gateway",
              "shard %d: malformed gateway message (%zu bytes): %s; skipped",
              c->o.shard_id, len, err);
        c->lost_frame = 1;
        return;
    }
    LOG_T("gateway", "shard %d: op %d t %s s %lld", c->o.shard_id, m.op,
          m.t ? m.t : "-", (long long)m.s);
    switch (m.op) {
    case DBOT__OP_HELLO:
        on_hello(c, m.d);
        break;
    case DBOT__OP_HEARTBEAT_ACK:
        c->awaiting_ack = 0;
        c->cbs.on_ack(c->cbs.ud, dbot__clock_ms() - c->hb_sent_at);
        break;
    case DBOT__OP_HEARTBEAT:
        beat_requested(c);
        break;
    default:
        kept = c->cbs.on_message(c->cbs.ud, &m, c->lost_frame);
        break;
    }
    /* A tree the owner kept (an event on its way to the loop thread)
     * stays in the arena until the owner frees the arena's batch. */
    if (!kept)
        dbot__gw_msg_release(&m);
}

static int
on_receive(struct dbot__gw_conn *c, struct lws *wsi, const void *in, size_t len)
{
    int rc;

    if (c->zs) {
        /* zstd-stream: a websocket message is one gateway message. */
        int last =
            lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi);
        rc = dbot__zstd_feed(c->zs, in, len, last, on_message, c);
    } else if (c->z) {
        rc = dbot__zstream_feed(c->z, in, len, on_message, c);
    } else {
        return -1;
    }
    if (rc < 0) {
        /* The stream is unusable now; a new connection gets a fresh one,
         * and resuming replays what this one lost. */
        LOG_W("gateway", "shard %d: %s: %s; reconnecting", c->o.shard_id,
              c->zs ? "zstd-stream" : "zlib-stream", dbot_strerror(rc));
        dbot__gw_conn_close(c, DBOT__GW_CLOSE_RESUMABLE, DBOT__GW_AFTER_RESUME);
    }
    return 0;
}

/* ---- opening ------------------------------------------------------------ */

static void
connect_by_address(struct dbot__gw_conn *c, const char *addr)
{
    struct lws_client_connect_info i;
    struct lws *wsi;

    memset(&i, 0, sizeof i);
    i.context = c->ctx;
    i.address = addr;
    i.port = c->url.port;
    i.path = c->url.path;
    /* The name, not the address, goes to SNI, Host and the certificate
     * check: lws takes all three from `host`. */
    i.host = c->url.host;
    i.origin = c->url.host;
    i.ietf_version_or_minus_one = -1;
    i.local_protocol_name = "dbot-gateway";
    i.opaque_user_data = c;
    i.pwsi = &c->wsi;
    if (c->url.tls) {
        i.ssl_connection = LCCSCF_USE_SSL;
        if (!c->o.tls_verify)
            i.ssl_connection |= LCCSCF_ALLOW_SELFSIGNED |
                                LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK |
                                LCCSCF_ALLOW_EXPIRED;
    }
    LOG_D("gateway", "shard %d: connecting to %s:%d (%s)", c->o.shard_id,
          c->url.host, c->url.port, addr);
    /* lws may report CONNECTION_ERROR from inside this call, or only
     * return NULL: either way the connection ends once, here. */
    c->connecting = 1;
    wsi = lws_client_connect_via_info(&i);
    c->connecting = 0;
    if (!wsi || c->connect_failed) {
        if (wsi)
            lws_set_opaque_user_data(wsi, NULL);
        conn_end(c);
    }
}

static void
on_resolved(void *arg, int err, const char *addr)
{
    struct dbot__gw_conn *c = arg;

    c->dns = NULL;
    if (err < 0) {
        if (err != DBOT_ESHUTDOWN)
            LOG_W("gateway", "shard %d: cannot resolve %s", c->o.shard_id,
                  c->url.host);
        conn_end(c);
        return;
    }
    if (c->close_code) {
        conn_end(c); /* closed while resolving */
        return;
    }
    connect_by_address(c, addr);
}

int
dbot__gw_conn_open(struct dbot__gw_conn **out,
                   const struct dbot__gw_conn_opts *o,
                   const struct dbot__gw_conn_cbs *cbs)
{
    struct dbot__gw_conn *c = calloc(1, sizeof *c);

    if (!c)
        return DBOT_ENOMEM;
    c->o = *o;
    c->o.url = NULL; /* not kept: parsed into c->url */
    c->cbs = *cbs;
    c->ctx = dbot__loop_lws(o->loop);
    /* Seeded by the connection's own address: shards reconnecting after
     * one outage spread their first beats instead of beating in step. */
    c->rng = dbot__rand_seed(c);
    dbot__sendlimit_init(&c->sl, SEND_LIMIT, HEARTBEAT_RESERVE, SEND_WINDOW_MS);
    if (dbot__url_parse(o->url, &c->url) < 0 ||
        dbot__url_gateway_query(&c->url, o->compress == DBOT__COMPRESS_ZSTD
                                             ? DBOT__COMPRESS_ZSTD
                                             : DBOT__COMPRESS_ZLIB) < 0) {
        LOG_W("gateway", "shard %d: bad gateway URL \"%s\"", o->shard_id,
              o->url);
        free(c);
        return DBOT_EINVAL;
    }
    if (c->url.tls && !o->tls_verify)
        LOG_W("gateway", "TLS certificate verification is OFF (tls_verify "
                         "false): never do this outside tests");
    *out = c;
    if (dbot__resolve(o->resolver, c->url.host, on_resolved, c, &c->dns) < 0) {
        c->dns = NULL;
        conn_end(c);
    }
    return 0;
}

int
dbot__gateway_lws_cb(struct lws *wsi, enum lws_callback_reasons reason,
                     void *user, void *in, size_t len)
{
    struct dbot__gw_conn *c = lws_get_opaque_user_data(wsi);

    (void)user;
    switch (reason) {
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (!c)
            return 0;
        LOG_W("gateway", "shard %d: connection failed: %s", c->o.shard_id,
              in ? (const char *)in : "unknown error");
        lws_set_opaque_user_data(wsi, NULL);
        if (c->connecting) {
            c->connect_failed = 1; /* connect_by_address ends it */
            return 0;
        }
        c->wsi = NULL;
        conn_end(c);
        return 0;
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        if (!c)
            return -1;
        c->established = 1;
        if (c->o.compress == DBOT__COMPRESS_ZSTD)
            c->zs = dbot__zstd_new(c->o.max_message_bytes);
        else
            c->z = dbot__zstream_new(c->o.max_message_bytes);
        if (!c->z && !c->zs)
            return -1;
        LOG_D("gateway", "shard %d: websocket open", c->o.shard_id);
        sched(c, &c->guard_sul, close_guard_cb, HELLO_TIMEOUT_MS);
        return 0;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (!c)
            return -1;
        return on_receive(c, wsi, in, len);
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        if (!c)
            return -1;
        return on_writeable(c);
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (c && len >= 2) {
            const unsigned char *p = in;
            c->server_close_code = (p[0] << 8) | p[1];
            LOG_I("gateway", "shard %d: server closed with %d", c->o.shard_id,
                  c->server_close_code);
        }
        return 0;
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (!c)
            return 0;
        lws_set_opaque_user_data(wsi, NULL);
        c->wsi = NULL;
        if (!c->close_code && !c->server_close_code)
            LOG_W("gateway", "shard %d: connection dropped", c->o.shard_id);
        conn_end(c);
        return 0;
    default:
        return 0;
    }
}
