/*
 * gateway.c: one shard's gateway session on libwebsockets.
 *
 * DESIGN. Two objects. The shard (struct dbot__gateway) lives as long as
 * the bot and holds the session: session_id, the last sequence number and
 * resume_gateway_url, plus the reconnect timer and backoff. A connection
 * (struct gw_conn) lives for one websocket: its wsi, inflate context,
 * receive buffer, send queue, send-rate window and heartbeat timer. Every
 * timer that acts on a connection is embedded in that connection and is
 * cancelled when it dies, so a stale timer can never touch a newer socket.
 *
 * A connection ends in exactly one place, conn_end(), called from lws's
 * CLOSED or CONNECTION_ERROR callback (or when a connect attempt fails
 * before lws has a wsi). conn_end() decides what happens next from what the
 * connection recorded: the close code the server sent, or the reason we
 * closed it ourselves (resume, new session, stop).
 *
 * Sending: payloads go to a queue and leave only from the WRITEABLE
 * callback, with LWS_PRE headroom. Heartbeats jump the queue, and the
 * 120-per-60-s limiter keeps a few slots in reserve for them. A close we
 * initiate is also sent from WRITEABLE with a real close frame: a non-1000
 * code keeps the session resumable; 1000 only when stopping for good.
 *
 * Receiving: with compress=zlib-stream every fragment is fed to the
 * connection's inflate stream, which calls back once per whole message.
 * A message that does not parse is logged and skipped; if a sequence gap
 * follows it, the connection resumes so Discord replays what was lost.
 */
#include "gateway.h"

#include "bot.h"
#include "config.h"
#include "dispatch.h"
#include "gateway_codec.h"
#include "interaction.h"
#include "log.h"
#include "presence.h"
#include "resolve.h"
#include "service.h"
#include "url.h"
#include "zstream.h"

#include <dbot/rest.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define US_PER_MS          1000
#define CLOSE_RESUMABLE    4000 /* any code but 1000/1001 keeps the session */
#define MAX_PAYLOAD        4096 /* Discord closes with 4002 above this */
#define SEND_LIMIT         120
#define SEND_WINDOW_MS     60000
#define HEARTBEAT_RESERVE  3
#define HELLO_TIMEOUT_MS   20000
#define SHORT_SESSION_MS   60000  /* a session that ends sooner is "short" */
#define STORM_AFTER        3      /* short sessions in a row before ... */
#define STORM_MIN_MS       5000   /* ... identifies back off from 5 s */
#define STORM_MAX_MS       900000 /* to 15 min */
#define CLOSE_TIMEOUT_MS   5000

/* What to do once the connection is down, when we chose to close it. */
enum after_close {
    AFTER_RECONNECT = 0, /* decide from the server's close code, else resume */
    AFTER_RESUME,
    AFTER_IDENTIFY,      /* the session is gone: identify after 1-5 s */
    AFTER_STOP,
};

struct txmsg {
    struct txmsg *next;
    size_t len;
    int heartbeat;
    int identify;        /* counts against max_concurrency when written */
    unsigned char buf[]; /* LWS_PRE bytes of headroom, then the payload */
};

struct gw_conn {
    struct dbot__gateway *gw;
    struct lws *wsi;
    struct dbot__resolve_req *dns;
    struct dbot__url url;
    int resuming;        /* this connection resumes (else identifies) */
    int established;
    int hello_seen;

    struct dbot__zstream *z;
    char *rx;            /* uncompressed: fragments of one message */
    size_t rx_len, rx_cap;
    int lost_frame;      /* a message failed to parse: watch for a gap */

    struct txmsg *txq_head, *txq_tail;
    struct dbot__sendlimit sl;

    int64_t hb_interval_ms;
    int awaiting_ack;
    int64_t hb_sent_at;

    int close_code;      /* ours, once we decided to close (0: not yet) */
    enum after_close after;
    int server_close_code;

    lws_sorted_usec_list_t hb_sul;    /* next heartbeat */
    lws_sorted_usec_list_t tx_sul;    /* send limit: retry writing */
    lws_sorted_usec_list_t guard_sul; /* Hello / close timeouts */
    lws_sorted_usec_list_t identify_sul; /* waiting for an identify slot */
};

struct dbot__gateway {
    dbot *bot;
    int shard_id, shard_count;
    enum dbot__gw_state state;
    struct gw_conn *conn;

    char *gateway_url;    /* from GET /gateway/bot, cached */
    int fetching;         /* that GET is in flight */
    char *session_id;
    char *resume_url;
    int64_t seq;          /* last non-null s, -1 when none */
    unsigned presence_gen; /* presence generation last sent (presence.h) */

    int attempt;          /* reconnects since the last READY/RESUMED */
    int64_t ready_ms;     /* when the current session got READY, 0: not */
    int short_sessions;   /* sessions in a row that ended soon after start */
    int resume_misses;    /* resume connections that never opened */
    int stopping;
    int64_t latency_ms;
    uint64_t rng;
    struct dbot__gw_counters n;
    lws_sorted_usec_list_t reconnect_sul;
};

static void conn_end(struct gw_conn *c);
static void identify_when_allowed(struct gw_conn *c);
static void schedule_reconnect(struct dbot__gateway *gw, int64_t delay_ms);

/* ---- small helpers ------------------------------------------------------ */

static double
rnd01(struct dbot__gateway *gw)
{
    /* splitmix64: jitter only, not security */
    uint64_t z = (gw->rng += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

static struct lws_context *
ctx_of(struct dbot__gateway *gw)
{
    return dbot__bot_lws(gw->bot);
}

static const struct dbot_config *
cfg_of(struct dbot__gateway *gw)
{
    return dbot__bot_config(gw->bot);
}

static void
sched(struct dbot__gateway *gw, lws_sorted_usec_list_t *sul,
      sul_cb_t cb, int64_t ms)
{
    lws_sul_schedule(ctx_of(gw), 0, sul, cb,
                     (lws_usec_t)(ms < 0 ? 0 : ms) * US_PER_MS);
}

static void
forget_session(struct dbot__gateway *gw)
{
    free(gw->session_id);
    free(gw->resume_url);
    gw->session_id = NULL;
    gw->resume_url = NULL;
    gw->seq = -1;
    gw->resume_misses = 0;
}

/* The session is gone and the next connection identifies. Forget the
 * cached gateway URL too, so GET /gateway/bot is asked again first and
 * its session_start_limit checked before every new session, not only the
 * first: a run of invalid sessions must not spend the day's identifies
 * and get the token reset (discord-protocol.md §5 item 8). */
static void
forget_session_for_identify(struct dbot__gateway *gw)
{
    forget_session(gw);
    free(gw->gateway_url);
    gw->gateway_url = NULL;
}

/* ---- sending ----------------------------------------------------------- */

static int
conn_queue(struct gw_conn *c, const char *json, size_t len, int heartbeat)
{
    struct txmsg *m;

    if (len > MAX_PAYLOAD) {
        LOG_E("gateway", "shard %d: refusing a %zu-byte payload (limit %d)",
              c->gw->shard_id, len, MAX_PAYLOAD);
        return DBOT_ETOOBIG;
    }
    m = malloc(sizeof *m + LWS_PRE + len);
    if (!m)
        return DBOT_ENOMEM;
    m->next = NULL;
    m->len = len;
    m->heartbeat = heartbeat;
    m->identify = 0;
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

static void
tx_retry_cb(lws_sorted_usec_list_t *sul)
{
    struct gw_conn *c = lws_container_of(sul, struct gw_conn, tx_sul);

    if (c->wsi)
        lws_callback_on_writable(c->wsi);
}

static void
close_guard_cb(lws_sorted_usec_list_t *sul)
{
    struct gw_conn *c = lws_container_of(sul, struct gw_conn, guard_sul);

    if (!c->wsi)
        return;
    if (!c->hello_seen && !c->close_code) {
        LOG_W("gateway", "shard %d: no Hello within %d ms, reconnecting",
              c->gw->shard_id, HELLO_TIMEOUT_MS);
        c->close_code = CLOSE_RESUMABLE;
        c->after = AFTER_RECONNECT;
        lws_callback_on_writable(c->wsi);
        sched(c->gw, &c->guard_sul, close_guard_cb, CLOSE_TIMEOUT_MS);
        return;
    }
    /* The close frame could not be sent in time: drop the socket. */
    LOG_W("gateway", "shard %d: close did not complete, dropping the socket",
          c->gw->shard_id);
    lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
}

/* Decide to close this connection with `code`; the frame leaves from
 * WRITEABLE. The first decision wins. */
static void
conn_close(struct gw_conn *c, int code, enum after_close after)
{
    if (c->close_code)
        return;
    c->close_code = code;
    c->after = after;
    lws_sul_cancel(&c->hb_sul);
    if (c->wsi) {
        lws_callback_on_writable(c->wsi);
        sched(c->gw, &c->guard_sul, close_guard_cb, CLOSE_TIMEOUT_MS);
    }
}

static int
on_writeable(struct gw_conn *c)
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
    now = dbot_now_ms();
    wait = dbot__sendlimit_wait(&c->sl, now, m->heartbeat);
    if (wait > 0) {
        LOG_D("gateway", "shard %d: send limit, waiting %lld ms",
              c->gw->shard_id, (long long)wait);
        sched(c->gw, &c->tx_sul, tx_retry_cb, wait);
        return 0;
    }
    if (lws_write(c->wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT) <
        (int)m->len) {
        LOG_W("gateway", "shard %d: write failed", c->gw->shard_id);
        return -1;
    }
    dbot__sendlimit_record(&c->sl, now);
    if (m->identify)
        dbot__bot_identify_sent(c->gw->bot, c->gw->shard_id);
    c->txq_head = m->next;
    if (!c->txq_head)
        c->txq_tail = NULL;
    free(m);
    if (c->txq_head)
        lws_callback_on_writable(c->wsi);
    return 0;
}

/* ---- heartbeats --------------------------------------------------------- */

static void
send_heartbeat(struct gw_conn *c)
{
    char *hb = dbot__gw_heartbeat(c->gw->seq);

    if (!hb)
        return;
    if (conn_queue(c, hb, strlen(hb), 1) == 0) {
        c->awaiting_ack = 1;
        c->hb_sent_at = dbot_now_ms();
    }
    free(hb);
}

static void
heartbeat_cb(lws_sorted_usec_list_t *sul)
{
    struct gw_conn *c = lws_container_of(sul, struct gw_conn, hb_sul);

    if (c->close_code)
        return;
    if (c->awaiting_ack) {
        /* No ACK between two of our heartbeats: a zombie connection. */
        LOG_W("gateway",
              "shard %d: no heartbeat ACK in %lld ms, connection is zombied; "
              "reconnecting to resume",
              c->gw->shard_id, (long long)(dbot_now_ms() - c->hb_sent_at));
        conn_close(c, CLOSE_RESUMABLE, AFTER_RESUME);
        return;
    }
    send_heartbeat(c);
    sched(c->gw, &c->hb_sul, heartbeat_cb, c->hb_interval_ms);
}

/* ---- receiving ---------------------------------------------------------- */

static void
send_identify_or_resume(struct gw_conn *c)
{
    struct dbot__gateway *gw = c->gw;
    const struct dbot_config *cfg = cfg_of(gw);
    char *p;

    if (c->resuming) {
        p = dbot__gw_resume(cfg->token, gw->session_id, gw->seq);
        gw->n.resumes++;
        LOG_I("gateway", "shard %d: resuming session at seq %lld",
              gw->shard_id, (long long)gw->seq);
    } else {
        struct dbot__identify id = {
            .token = cfg->token,
            .intents = cfg->intents,
            .shard_id = gw->shard_id,
            .shard_count = gw->shard_count,
            .large_threshold = cfg->large_threshold,
            .presence_json = dbot__bot_presence(gw->bot, &gw->presence_gen),
        };
        p = dbot__gw_identify(&id);
        gw->n.identifies++;
        LOG_I("gateway", "shard %d: identifying (intents %llu)", gw->shard_id,
              (unsigned long long)cfg->intents);
    }
    if (!p) {
        conn_close(c, CLOSE_RESUMABLE, AFTER_RECONNECT);
        return;
    }
    if (conn_queue(c, p, strlen(p), 0) < 0)
        conn_close(c, CLOSE_RESUMABLE, AFTER_RECONNECT);
    else if (!c->resuming)
        c->txq_tail->identify = 1;
    free(p);
}

static void
identify_gate_cb(lws_sorted_usec_list_t *sul)
{
    struct gw_conn *c = lws_container_of(sul, struct gw_conn, identify_sul);

    identify_when_allowed(c);
}

/* Resumes go at once; identifies wait for their max_concurrency slot. */
static void
identify_when_allowed(struct gw_conn *c)
{
    int64_t wait = 0;

    if (c->close_code)
        return;
    if (!c->resuming)
        wait = dbot__bot_identify_wait(c->gw->bot, c->gw->shard_id);
    if (wait > 0) {
        LOG_D("gateway", "shard %d: identify in %lld ms (max_concurrency)",
              c->gw->shard_id, (long long)wait);
        sched(c->gw, &c->identify_sul, identify_gate_cb, wait);
        return;
    }
    send_identify_or_resume(c);
}

static void
on_hello(struct gw_conn *c, const cJSON *d)
{
    const cJSON *iv = cJSON_GetObjectItemCaseSensitive(d, "heartbeat_interval");
    int64_t first;

    if (!cJSON_IsNumber(iv) || iv->valuedouble < 1 ||
        iv->valuedouble > 3600000) {
        LOG_W("gateway", "shard %d: Hello without a valid heartbeat_interval",
              c->gw->shard_id);
        conn_close(c, CLOSE_RESUMABLE, AFTER_RECONNECT);
        return;
    }
    c->hello_seen = 1;
    lws_sul_cancel(&c->guard_sul);
    c->hb_interval_ms = (int64_t)iv->valuedouble;
    c->awaiting_ack = 0;
    /* First beat after interval * jitter, jitter in [0, 1). */
    first = (int64_t)((double)c->hb_interval_ms * rnd01(c->gw));
    LOG_D("gateway", "shard %d: hello, heartbeat every %lld ms, first in %lld",
          c->gw->shard_id, (long long)c->hb_interval_ms, (long long)first);
    sched(c->gw, &c->hb_sul, heartbeat_cb, first);
    c->gw->state = DBOT__GW_HANDSHAKING;
    identify_when_allowed(c);
}

static void
set_str(char **dst, const cJSON *v)
{
    if (cJSON_IsString(v) && v->valuestring[0]) {
        char *s = strdup(v->valuestring);
        if (s) {
            free(*dst);
            *dst = s;
        }
    }
}

static void
on_dispatch(struct gw_conn *c, struct dbot__gw_msg *m)
{
    struct dbot__gateway *gw = c->gw;
    dbot_event ev;

    if (m->s >= 0) {
        if (gw->seq >= 0 && m->s > gw->seq + 1 && c->lost_frame) {
            /* A message we could not parse was an event: resume from the
             * last good one so Discord replays it. */
            LOG_W("gateway",
                  "shard %d: sequence gap %lld -> %lld after a malformed "
                  "message; resuming to replay the missed events",
                  gw->shard_id, (long long)gw->seq, (long long)m->s);
            c->lost_frame = 0;
            conn_close(c, CLOSE_RESUMABLE, AFTER_RESUME);
            return;
        }
        if (gw->seq >= 0 && m->s <= gw->seq) {
            LOG_D("gateway", "shard %d: duplicate seq %lld ignored",
                  gw->shard_id, (long long)m->s);
            return;
        }
        gw->seq = m->s;
    }
    if (!m->t)
        return;
    if (strcmp(m->t, "READY") == 0) {
        set_str(&gw->session_id,
                cJSON_GetObjectItemCaseSensitive(m->d, "session_id"));
        set_str(&gw->resume_url,
                cJSON_GetObjectItemCaseSensitive(m->d, "resume_gateway_url"));
        dbot__bot_set_self(gw->bot,
                           cJSON_GetObjectItemCaseSensitive(m->d, "user"));
        gw->state = DBOT__GW_READY;
        gw->attempt = 0;
        gw->ready_ms = dbot_now_ms();
        LOG_I("gateway", "shard %d: READY", gw->shard_id);
        dbot__gateway_sync_presence(gw); /* changed since the Identify */
    } else if (strcmp(m->t, "RESUMED") == 0) {
        gw->n.resumed++;
        gw->state = DBOT__GW_READY;
        gw->attempt = 0;
        gw->resume_misses = 0;
        LOG_I("gateway", "shard %d: RESUMED at seq %lld", gw->shard_id,
              (long long)gw->seq);
        /* A presence set while the shard was away is not in the resumed
         * session: Discord kept the old one. */
        dbot__gateway_sync_presence(gw);
    }
    if (strcmp(m->t, "READY") == 0)
        dbot__interactions_on_ready(dbot__bot_interactions(gw->bot), m->d);
    else if (strcmp(m->t, "INTERACTION_CREATE") == 0)
        dbot__interactions_on_event(dbot__bot_interactions(gw->bot), m->d);
    dbot__service_on_event(dbot__bot_service(gw->bot), m->t);
    ev.name = m->t;
    ev.data = m->d;
    ev.shard_id = gw->shard_id;
    ev.seq = m->s;
    dbot__dispatch_event(dbot__bot_dispatch(gw->bot), gw->bot, &ev,
                         dbot__bot_health(gw->bot));
}

static void
on_message(const char *text, size_t len, void *arg)
{
    struct gw_conn *c = arg;
    struct dbot__gateway *gw = c->gw;
    struct dbot__gw_msg m;
    char err[128];

    if (c->close_code)
        return; /* closing: the rest is replayed on resume */
    if (dbot__gw_parse(text, len, &m, err, sizeof err) < 0) {
        LOG_W("gateway",
              "shard %d: malformed gateway message (%zu bytes): %s; skipped",
              gw->shard_id, len, err);
        c->lost_frame = 1;
        return;
    }
    LOG_T("gateway", "shard %d: op %d t %s s %lld", gw->shard_id, m.op,
          m.t ? m.t : "-", (long long)m.s);
    switch (m.op) {
    case DBOT__OP_DISPATCH:
        on_dispatch(c, &m);
        break;
    case DBOT__OP_HELLO:
        on_hello(c, m.d);
        break;
    case DBOT__OP_HEARTBEAT_ACK:
        c->awaiting_ack = 0;
        gw->latency_ms = dbot_now_ms() - c->hb_sent_at;
        break;
    case DBOT__OP_HEARTBEAT:
        /* Discord asks for a beat now; the timer keeps its rhythm. */
        send_heartbeat(c);
        break;
    case DBOT__OP_RECONNECT:
        LOG_I("gateway", "shard %d: Discord asked to reconnect (op 7)",
              gw->shard_id);
        conn_close(c, CLOSE_RESUMABLE, AFTER_RESUME);
        break;
    case DBOT__OP_INVALID_SESSION:
        if (cJSON_IsTrue(m.d) && gw->session_id) {
            LOG_I("gateway", "shard %d: invalid session (resumable)",
                  gw->shard_id);
            conn_close(c, CLOSE_RESUMABLE, AFTER_RESUME);
        } else {
            LOG_W("gateway",
                  "shard %d: invalid session, identifying anew after 1-5 s",
                  gw->shard_id);
            forget_session(gw);
            conn_close(c, CLOSE_RESUMABLE, AFTER_IDENTIFY);
        }
        break;
    default:
        LOG_D("gateway", "shard %d: ignoring op %d", gw->shard_id, m.op);
        break;
    }
    cJSON_Delete(m.root);
}

static int
on_receive(struct gw_conn *c, const void *in, size_t len)
{
    size_t max = cfg_of(c->gw)->max_message_bytes;
    int rc;

    if (c->z) {
        rc = dbot__zstream_feed(c->z, in, len, on_message, c);
        if (rc < 0) {
            /* The inflate stream is unusable now; a new connection gets a
             * fresh one, and resuming replays what this one lost. */
            LOG_W("gateway", "shard %d: zlib-stream: %s; reconnecting",
                  c->gw->shard_id, dbot_strerror(rc));
            conn_close(c, CLOSE_RESUMABLE, AFTER_RESUME);
        }
        return 0;
    }
    if (c->rx_len + len > max) {
        LOG_W("gateway", "shard %d: message over %zu bytes; reconnecting",
              c->gw->shard_id, max);
        c->rx_len = 0;
        conn_close(c, CLOSE_RESUMABLE, AFTER_RESUME);
        return 0;
    }
    if (c->rx_len + len + 1 > c->rx_cap) {
        size_t cap = c->rx_cap ? c->rx_cap : 4096;
        char *p;

        while (cap < c->rx_len + len + 1)
            cap *= 2;
        p = realloc(c->rx, cap);
        if (!p)
            return -1;
        c->rx = p;
        c->rx_cap = cap;
    }
    memcpy(c->rx + c->rx_len, in, len);
    c->rx_len += len;
    if (lws_is_final_fragment(c->wsi) && !lws_remaining_packet_payload(c->wsi)) {
        c->rx[c->rx_len] = '\0';
        on_message(c->rx, c->rx_len, c);
        c->rx_len = 0;
    }
    return 0;
}

/* ---- connection lifecycle ---------------------------------------------- */

static void
conn_free(struct gw_conn *c)
{
    struct txmsg *m, *next;

    lws_sul_cancel(&c->hb_sul);
    lws_sul_cancel(&c->tx_sul);
    lws_sul_cancel(&c->guard_sul);
    lws_sul_cancel(&c->identify_sul);
    if (c->dns)
        dbot__resolve_cancel(c->dns);
    for (m = c->txq_head; m; m = next) {
        next = m->next;
        free(m);
    }
    dbot__zstream_free(c->z);
    free(c->rx);
    free(c);
}

static void
connect_by_address(struct gw_conn *c, const char *addr)
{
    struct dbot__gateway *gw = c->gw;
    struct lws_client_connect_info i;

    memset(&i, 0, sizeof i);
    i.context = ctx_of(gw);
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
        if (!cfg_of(gw)->tls_verify)
            i.ssl_connection |= LCCSCF_ALLOW_SELFSIGNED |
                                LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK |
                                LCCSCF_ALLOW_EXPIRED;
    }
    LOG_D("gateway", "shard %d: connecting to %s:%d (%s)", gw->shard_id,
          c->url.host, c->url.port, addr);
    if (!lws_client_connect_via_info(&i)) {
        /* lws may or may not have called CONNECTION_ERROR already. */
        if (gw->conn == c) {
            c->wsi = NULL;
            conn_end(c);
        }
    }
}

static void
on_resolved(void *arg, int err, const char *addr)
{
    struct gw_conn *c = arg;

    c->dns = NULL;
    if (err < 0) {
        if (err != DBOT_ESHUTDOWN)
            LOG_W("gateway", "shard %d: cannot resolve %s", c->gw->shard_id,
                  c->url.host);
        conn_end(c);
        return;
    }
    connect_by_address(c, addr);
}

static void connect_now(struct dbot__gateway *gw);

static void
gateway_bot_done(dbot *bot, const dbot_rest_result *res, void *arg)
{
    struct dbot__gateway *gw = arg;
    const cJSON *url = cJSON_GetObjectItemCaseSensitive(res->json, "url");
    const cJSON *lim =
        cJSON_GetObjectItemCaseSensitive(res->json, "session_start_limit");
    const cJSON *rem = cJSON_GetObjectItemCaseSensitive(lim, "remaining");
    const cJSON *reset = cJSON_GetObjectItemCaseSensitive(lim, "reset_after");

    (void)bot;
    gw->fetching = 0;
    if (gw->stopping || res->err == DBOT_ECANCELED) {
        gw->state = DBOT__GW_STOPPED;
        return;
    }
    if (res->status == 401) {
        /* The only fatal answer: retrying a bad token gets the IP banned. */
        LOG_E("gateway", "GET /gateway/bot: 401 Unauthorized: the bot token "
                         "is wrong; copy it again from the Developer Portal "
                         "(Bot > Reset Token)");
        gw->stopping = 1;
        gw->state = DBOT__GW_STOPPED;
        dbot__bot_fatal(gw->bot, DBOT_EAUTH);
        return;
    }
    if (res->err || !cJSON_IsString(url) || !url->valuestring[0]) {
        LOG_W("gateway", "shard %d: GET /gateway/bot failed (HTTP %d: %s); "
                         "retrying",
              gw->shard_id, res->status,
              res->message ? res->message : "no url in the answer");
        schedule_reconnect(gw, -1);
        return;
    }
    free(gw->gateway_url);
    gw->gateway_url = strdup(url->valuestring);
    {
        const cJSON *sh = cJSON_GetObjectItemCaseSensitive(res->json,
                                                           "shards");
        const cJSON *mc = cJSON_GetObjectItemCaseSensitive(lim,
                                                           "max_concurrency");
        dbot__bot_shard_plan(gw->bot,
                             cJSON_IsNumber(sh) ? sh->valueint : 1,
                             cJSON_IsNumber(mc) ? mc->valueint : 1,
                             gw->gateway_url);
    }
    if (cJSON_IsNumber(rem) && rem->valuedouble <= 0) {
        /* Identifying now would count against an exhausted daily limit,
         * and Discord resets the token of bots that keep trying. */
        int64_t wait = cJSON_IsNumber(reset) ? (int64_t)reset->valuedouble
                                             : 60000;
        LOG_E("gateway", "shard %d: no identifies left today "
                         "(session_start_limit); waiting %lld s",
              gw->shard_id, (long long)(wait / 1000));
        schedule_reconnect(gw, wait);
        return;
    }
    connect_now(gw);
}

static void
fetch_gateway_url(struct dbot__gateway *gw)
{
    int rc;

    if (gw->fetching)
        return;
    gw->fetching = 1;
    gw->state = DBOT__GW_CONNECTING;
    rc = dbot_gateway_bot_get(gw->bot, gateway_bot_done, gw);
    if (rc < 0) {
        gw->fetching = 0;
        LOG_W("gateway", "shard %d: cannot ask for the gateway URL: %s",
              gw->shard_id, dbot_strerror(rc));
        schedule_reconnect(gw, -1);
    }
}

static void
connect_now(struct dbot__gateway *gw)
{
    const struct dbot_config *cfg = cfg_of(gw);
    struct gw_conn *c;
    const char *url;
    int resume = gw->session_id && gw->resume_url && gw->seq >= 0;

    if (gw->stopping || gw->conn)
        return;
    url = resume ? gw->resume_url
                 : cfg->gateway_url ? cfg->gateway_url : gw->gateway_url;
    if (!url) {
        fetch_gateway_url(gw);
        return;
    }
    c = calloc(1, sizeof *c);
    if (!c) {
        schedule_reconnect(gw, -1);
        return;
    }
    c->gw = gw;
    c->resuming = resume;
    dbot__sendlimit_init(&c->sl, SEND_LIMIT, HEARTBEAT_RESERVE, SEND_WINDOW_MS);
    if (dbot__url_parse(url, &c->url) < 0 ||
        dbot__url_gateway_query(&c->url, 1) < 0) {
        LOG_W("gateway", "shard %d: bad gateway URL \"%s\"", gw->shard_id,
              url);
        free(c);
        if (resume) {
            forget_session(gw); /* a bad resume URL: identify instead */
            schedule_reconnect(gw, -1);
        } else {
            dbot__bot_fatal(gw->bot, DBOT_ECONFIG);
        }
        return;
    }
    if (c->url.tls && !cfg->tls_verify)
        LOG_W("gateway", "TLS certificate verification is OFF (tls_verify "
                         "false): never do this outside tests");
    gw->conn = c;
    gw->state = DBOT__GW_CONNECTING;
    gw->n.connects++;
    if (dbot__resolve(dbot__bot_resolver(gw->bot), c->url.host, on_resolved,
                      c, &c->dns) < 0) {
        c->dns = NULL;
        conn_end(c);
    }
}

static void
reconnect_cb(lws_sorted_usec_list_t *sul)
{
    struct dbot__gateway *gw =
        lws_container_of(sul, struct dbot__gateway, reconnect_sul);

    connect_now(gw);
}

/* delay_ms < 0: exponential backoff with jitter. */
static void
schedule_reconnect(struct dbot__gateway *gw, int64_t delay_ms)
{
    const struct dbot_config *cfg = cfg_of(gw);

    if (gw->stopping)
        return;
    if (delay_ms < 0)
        delay_ms = dbot__backoff_ms(gw->attempt, cfg->reconnect_min_ms,
                                    cfg->reconnect_max_ms, rnd01(gw));
    gw->attempt++;
    gw->n.reconnects++;
    gw->state = DBOT__GW_IDLE;
    LOG_I("gateway", "shard %d: reconnecting in %lld ms (attempt %d)",
          gw->shard_id, (long long)delay_ms, gw->attempt);
    sched(gw, &gw->reconnect_sul, reconnect_cb, delay_ms);
}

/* The session is gone and the next connection identifies: how long to
 * wait first (-1: the usual reconnect backoff). Discord allows 1000
 * identifies a day and resets the token of a bot that reaches that, so a
 * session that keeps ending soon after it started (op 9 false, 4007, 4009
 * in a loop) must not be answered with an identify every few seconds:
 * from the third short session in a row the wait doubles from 5 s up to
 * 15 minutes, which keeps even a permanent loop under 200 a day. */
static int64_t
new_session_delay(struct dbot__gateway *gw, int64_t usual)
{
    int64_t now = dbot_now_ms(), delay;

    if (gw->ready_ms && now - gw->ready_ms >= SHORT_SESSION_MS)
        gw->short_sessions = 0;
    gw->ready_ms = 0;
    gw->short_sessions++;
    if (gw->short_sessions < STORM_AFTER)
        return usual;
    delay = dbot__backoff_ms(gw->short_sessions - STORM_AFTER, STORM_MIN_MS,
                             STORM_MAX_MS, rnd01(gw));
    LOG_W("gateway", "shard %d: %d sessions in a row ended within %d s of "
                     "starting; waiting %lld s before identifying again "
                     "(Discord allows 1000 identifies a day)",
          gw->shard_id, gw->short_sessions, SHORT_SESSION_MS / 1000,
          (long long)(delay / 1000));
    return delay;
}

static void
conn_end(struct gw_conn *c)
{
    struct dbot__gateway *gw = c->gw;
    enum after_close after = c->after;
    int code = c->server_close_code;
    int64_t delay = -1;

    if (gw->conn == c)
        gw->conn = NULL;
    if (!c->established && !c->resuming) {
        /* Connecting with the cached URL failed: ask Discord again. */
        free(gw->gateway_url);
        gw->gateway_url = NULL;
    }
    if (!c->established && c->resuming && ++gw->resume_misses >= 3) {
        /* The resume URL stays unreachable: give the session up and
         * identify through the main gateway URL. */
        LOG_W("gateway", "shard %d: resume URL unreachable %d times; "
                         "identifying anew",
              gw->shard_id, gw->resume_misses);
        forget_session_for_identify(gw);
    }
    conn_free(c);

    if (gw->stopping || after == AFTER_STOP) {
        gw->state = DBOT__GW_STOPPED;
        return;
    }
    if (code && after == AFTER_RECONNECT) {
        switch (dbot__gw_close_action(code)) {
        case DBOT__CLOSE_FATAL:
            LOG_E("gateway", "shard %d: Discord closed the connection: %s",
                  gw->shard_id, dbot__gw_close_advice(code));
            gw->state = DBOT__GW_STOPPED;
            gw->stopping = 1;
            dbot__bot_fatal(gw->bot, dbot__gw_close_errno(code));
            return;
        case DBOT__CLOSE_IDENTIFY:
            LOG_W("gateway", "shard %d: close %d: session ended, identifying "
                             "anew", gw->shard_id, code);
            forget_session_for_identify(gw);
            delay = new_session_delay(gw, -1);
            break;
        case DBOT__CLOSE_RESUME:
            LOG_I("gateway", "shard %d: close %d, resuming", gw->shard_id,
                  code);
            break;
        }
    } else if (after == AFTER_IDENTIFY) {
        forget_session_for_identify(gw);
        /* The docs asked for a random 1-5 s wait before identifying. */
        delay = new_session_delay(gw, 1000 + (int64_t)(4000.0 * rnd01(gw)));
    } else if (after == AFTER_RESUME && gw->attempt == 0) {
        delay = 0; /* a healthy session asked to move: go at once */
    }
    schedule_reconnect(gw, delay);
}

int
dbot__gateway_lws_cb(struct lws *wsi, enum lws_callback_reasons reason,
                     void *user, void *in, size_t len)
{
    struct gw_conn *c = lws_get_opaque_user_data(wsi);

    (void)user;
    switch (reason) {
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (!c)
            return 0;
        LOG_W("gateway", "shard %d: connection failed: %s", c->gw->shard_id,
              in ? (const char *)in : "unknown error");
        c->wsi = NULL;
        lws_set_opaque_user_data(wsi, NULL);
        conn_end(c);
        return 0;
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        if (!c)
            return -1;
        c->established = 1;
        c->z = dbot__zstream_new(cfg_of(c->gw)->max_message_bytes);
        if (!c->z)
            return -1;
        LOG_D("gateway", "shard %d: websocket open", c->gw->shard_id);
        sched(c->gw, &c->guard_sul, close_guard_cb, HELLO_TIMEOUT_MS);
        return 0;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (!c)
            return -1;
        return on_receive(c, in, len);
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        if (!c)
            return -1;
        return on_writeable(c);
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (c && len >= 2) {
            const unsigned char *p = in;
            c->server_close_code = (p[0] << 8) | p[1];
            LOG_I("gateway", "shard %d: server closed with %d",
                  c->gw->shard_id, c->server_close_code);
        }
        return 0;
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (!c)
            return 0;
        c->wsi = NULL;
        lws_set_opaque_user_data(wsi, NULL);
        if (!c->close_code && !c->server_close_code)
            LOG_W("gateway", "shard %d: connection dropped", c->gw->shard_id);
        conn_end(c);
        return 0;
    default:
        return 0;
    }
}

/* ---- shard -------------------------------------------------------------- */

int
dbot__gateway_new(struct dbot__gateway **out, dbot *bot, int shard_id,
                  int shard_count)
{
    struct dbot__gateway *gw = calloc(1, sizeof *gw);
    struct timespec ts;

    if (!gw)
        return DBOT_ENOMEM;
    gw->bot = bot;
    gw->shard_id = shard_id;
    gw->shard_count = shard_count;
    gw->seq = -1;
    gw->latency_ms = -1;
    clock_gettime(CLOCK_REALTIME, &ts);
    gw->rng = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32) ^
              (uint64_t)shard_id;
    *out = gw;
    return 0;
}

void
dbot__gateway_cancel_timers(struct dbot__gateway *gw)
{
    if (!gw)
        return;
    gw->stopping = 1;
    lws_sul_cancel(&gw->reconnect_sul);
    if (gw->conn) {
        lws_sul_cancel(&gw->conn->hb_sul);
        lws_sul_cancel(&gw->conn->tx_sul);
        lws_sul_cancel(&gw->conn->guard_sul);
        lws_sul_cancel(&gw->conn->identify_sul);
    }
}

void
dbot__gateway_free(struct dbot__gateway *gw)
{
    if (!gw)
        return;
    if (gw->conn) {
        /* The context is gone, so lws will not call back for it. */
        if (gw->conn->wsi)
            lws_set_opaque_user_data(gw->conn->wsi, NULL);
        gw->conn->gw = gw;
        conn_free(gw->conn);
        gw->conn = NULL;
    }
    forget_session(gw);
    free(gw->gateway_url);
    free(gw);
}

void
dbot__gateway_set_count(struct dbot__gateway *gw, int shard_count)
{
    gw->shard_count = shard_count;
}

void
dbot__gateway_set_url(struct dbot__gateway *gw, const char *url)
{
    free(gw->gateway_url);
    gw->gateway_url = url ? strdup(url) : NULL;
}

void
dbot__gateway_start(struct dbot__gateway *gw)
{
    connect_now(gw);
}

void
dbot__gateway_stop(struct dbot__gateway *gw)
{
    dbot__gateway_stop_code(gw, 1000);
}

void
dbot__gateway_stop_code(struct dbot__gateway *gw, int code)
{
    gw->stopping = 1;
    lws_sul_cancel(&gw->reconnect_sul);
    if (!gw->conn) {
        gw->state = DBOT__GW_STOPPED;
        return;
    }
    if (!gw->conn->wsi) {
        /* Still resolving: nothing to close. */
        struct gw_conn *c = gw->conn;
        gw->conn = NULL;
        conn_free(c);
        gw->state = DBOT__GW_STOPPED;
        return;
    }
    conn_close(gw->conn, code, AFTER_STOP);
}

int
dbot__gateway_session(const struct dbot__gateway *gw,
                      struct dbot__gw_session *out)
{
    memset(out, 0, sizeof *out);
    out->seq = -1;
    if (!gw->session_id || !gw->resume_url || gw->seq < 0)
        return 0;
    out->session_id = gw->session_id;
    out->resume_url = gw->resume_url;
    out->seq = gw->seq;
    return 1;
}

int
dbot__gateway_set_session(struct dbot__gateway *gw,
                          const struct dbot__gw_session *s)
{
    char *id, *url;

    if (!s->session_id || !*s->session_id || !s->resume_url ||
        !*s->resume_url || s->seq < 0)
        return DBOT_EINVAL;
    id = strdup(s->session_id);
    url = strdup(s->resume_url);
    if (!id || !url) {
        free(id);
        free(url);
        return DBOT_ENOMEM;
    }
    forget_session(gw);
    gw->session_id = id;
    gw->resume_url = url;
    gw->seq = s->seq;
    return 0;
}

void
dbot__gateway_counters(const struct dbot__gateway *gw,
                       struct dbot__gw_counters *out)
{
    *out = gw->n;
}

int
dbot__gateway_is_closed(const struct dbot__gateway *gw)
{
    return gw->conn == NULL;
}

enum dbot__gw_state
dbot__gateway_state(const struct dbot__gateway *gw)
{
    return gw->state;
}

int64_t
dbot__gateway_latency_ms(const struct dbot__gateway *gw)
{
    return gw->latency_ms;
}

void
dbot__gateway_sync_presence(struct dbot__gateway *gw)
{
    const char *presence;
    unsigned gen;
    char *msg;
    size_t cap;

    if (!gw || gw->state != DBOT__GW_READY)
        return;
    presence = dbot__bot_presence(gw->bot, &gen);
    if (gw->presence_gen == gen || !presence)
        return;
    cap = strlen(presence) + 16;
    msg = malloc(cap);
    if (!msg)
        return; /* the next change or Identify carries it */
    snprintf(msg, cap, "{\"op\":3,\"d\":%s}", presence);
    if (dbot__gateway_send(gw, msg, strlen(msg)) == 0)
        gw->presence_gen = gen;
    free(msg);
}

int
dbot__gateway_send(struct dbot__gateway *gw, const char *json, size_t len)
{
    if (!gw->conn || !gw->conn->wsi || gw->conn->close_code)
        return DBOT_ESTATE;
    return conn_queue(gw->conn, json, len, 0);
}
