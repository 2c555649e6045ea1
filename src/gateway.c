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
 * 120-per-60-s limiter keeps a few slots in reserve for them. The bot's
 * own payloads are bounded (TXQ_MAX_MSGS, TXQ_MAX_BYTES) and refused with
 * DBOT_EBUSY past that; the session's own never are. A close we
 * initiate is also sent from WRITEABLE with a real close frame: a non-1000
 * code keeps the session resumable; 1000 only when stopping for good.
 *
 * Receiving (gateway_session.c): with compress=zlib-stream every fragment
 * is fed to the connection's inflate stream, which calls back once per
 * whole message. A message that does not parse is logged and skipped; if
 * a sequence gap follows it, the connection resumes so Discord replays
 * what was lost. gateway_impl.h holds what the two files share.
 */
#include "gateway_impl.h"
#include "clock.h"

#include "config.h"
#include "gateway_codec.h"
#include "log.h"
#include "loop.h"
#include "rand.h"
#include "resolve.h"
#include "rest.h"
#include "url.h"
#include "zstream.h"

#include <dbot/rest.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void conn_end(struct gw_conn *c);
static void schedule_reconnect(struct dbot__gateway *gw, int64_t delay_ms);

/* ---- small helpers ------------------------------------------------------ */

double
dbot__gwi_rnd01(struct dbot__gateway *gw)
{
    /* Jitter only, not security. */
    return (double)(dbot__rand_next(&gw->rng) >> 11) / 9007199254740992.0;
}

static struct lws_context *
ctx_of(struct dbot__gateway *gw)
{
    return dbot__loop_lws(gw->hooks->loop);
}

const struct dbot_config *
dbot__gwi_cfg(struct dbot__gateway *gw)
{
    return gw->hooks->cfg;
}

void
dbot__gwi_sched(struct dbot__gateway *gw, lws_sorted_usec_list_t *sul,
                sul_cb_t cb, int64_t ms)
{
    lws_sul_schedule(ctx_of(gw), 0, sul, cb,
                     (lws_usec_t)(ms < 0 ? 0 : ms) * US_PER_MS);
}

int
dbot__gwi_resume_url_ok(const struct dbot__gateway *gw, const char *url)
{
    const struct dbot_config *cfg = gw->hooks->cfg;
    const char *ref = cfg->gateway_url ? cfg->gateway_url : gw->gateway_url;

    if (!ref)
        return -1;
    return dbot__url_same_site(url, ref);
}

void
dbot__gwi_forget_session(struct dbot__gateway *gw)
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
    dbot__gwi_forget_session(gw);
    free(gw->gateway_url);
    gw->gateway_url = NULL;
}

/* ---- sending ----------------------------------------------------------- */

int
dbot__gwi_conn_queue(struct gw_conn *c, const char *json, size_t len,
                     enum tx_kind kind)
{
    struct txmsg *m;

    if (len > MAX_PAYLOAD) {
        LOG_E("gateway", "shard %d: refusing a %zu-byte payload (limit %d)",
              c->gw->shard_id, len, MAX_PAYLOAD);
        return DBOT_ETOOBIG;
    }
    /* Only the bot's own payloads are bounded: refusing a heartbeat,
     * Identify or Resume would cost the session, and they come at the
     * session's pace (one per interval, one per connection), not the
     * bot's. Heartbeats also come when the server asks (op 1), as often as
     * it likes: a new one replaces one still queued (it carries the newer
     * sequence number), so at most one ever waits. */
    if (kind == TX_HEARTBEAT && c->txq_head && c->txq_head->heartbeat) {
        struct txmsg *old = c->txq_head;

        c->txq_head = old->next;
        if (c->txq_tail == old)
            c->txq_tail = NULL;
        free(old);
    }
    if (kind == TX_USER && (c->txq_user_msgs >= TXQ_MAX_MSGS ||
                            c->txq_user_bytes + len > TXQ_MAX_BYTES)) {
        LOG_D("gateway", "shard %d: send queue full (%d payloads, %zu bytes)",
              c->gw->shard_id, c->txq_user_msgs, c->txq_user_bytes);
        return DBOT_EBUSY;
    }
    m = malloc(sizeof *m + LWS_PRE + len);
    if (!m)
        return DBOT_ENOMEM;
    m->next = NULL;
    m->len = len;
    m->heartbeat = kind == TX_HEARTBEAT;
    m->user = kind == TX_USER;
    m->identify = 0;
    m->presence = 0;
    m->presence_gen = 0;
    memcpy(m->buf + LWS_PRE, json, len);
    if (m->user) {
        c->txq_user_msgs++;
        c->txq_user_bytes += len;
    }
    if (m->heartbeat) {
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
        dbot__gwi_sched(c->gw, &c->guard_sul, close_guard_cb, CLOSE_TIMEOUT_MS);
        return;
    }
    /* The close frame could not be sent in time: drop the socket. */
    LOG_W("gateway", "shard %d: close did not complete, dropping the socket",
          c->gw->shard_id);
    lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
}

/* Decide to close this connection with `code`; the frame leaves from
 * WRITEABLE. The first decision wins. */
void
dbot__gwi_conn_close(struct gw_conn *c, int code, enum after_close after)
{
    if (c->close_code)
        return;
    c->close_code = code;
    c->after = after;
    lws_sul_cancel(&c->hb_sul);
    if (c->wsi) {
        lws_callback_on_writable(c->wsi);
        dbot__gwi_sched(c->gw, &c->guard_sul, close_guard_cb, CLOSE_TIMEOUT_MS);
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
    now = dbot__clock_ms();
    wait = dbot__sendlimit_wait(&c->sl, now, m->heartbeat);
    if (wait > 0) {
        LOG_D("gateway", "shard %d: send limit, waiting %lld ms",
              c->gw->shard_id, (long long)wait);
        dbot__gwi_sched(c->gw, &c->tx_sul, tx_retry_cb, wait);
        return 0;
    }
    if (lws_write(c->wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT) <
        (int)m->len) {
        LOG_W("gateway", "shard %d: write failed", c->gw->shard_id);
        return -1;
    }
    dbot__sendlimit_record(&c->sl, now);
    if (m->heartbeat && !c->awaiting_ack) {
        /* The oldest beat not yet acknowledged: the zombie check and the
         * latency count from it. */
        c->awaiting_ack = 1;
        c->hb_sent_at = now;
    }
    if (m->identify)
        c->gw->hooks->identify_sent(c->gw->hooks->ud, c->gw->shard_id);
    if (m->presence) {
        /* Only now is it Discord's: a queue dropped by a reconnect does
         * not count, and the next READY or RESUMED sends it again. */
        c->gw->presence_gen = m->presence_gen;
        if (c->gw->presence_queued_gen == m->presence_gen)
            c->gw->presence_queued = 0;
    }
    c->txq_head = m->next;
    if (!c->txq_head)
        c->txq_tail = NULL;
    if (m->user) {
        c->txq_user_msgs--;
        c->txq_user_bytes -= m->len;
    }
    free(m);
    if (c->txq_head)
        lws_callback_on_writable(c->wsi);
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
        if (!dbot__gwi_cfg(gw)->tls_verify)
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
gateway_bot_done(const dbot_rest_result *res, void *arg)
{
    struct dbot__gateway *gw = arg;
    const cJSON *url = cJSON_GetObjectItemCaseSensitive(res->json, "url");
    const cJSON *lim =
        cJSON_GetObjectItemCaseSensitive(res->json, "session_start_limit");
    const cJSON *rem = cJSON_GetObjectItemCaseSensitive(lim, "remaining");
    const cJSON *reset = cJSON_GetObjectItemCaseSensitive(lim, "reset_after");

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
        gw->hooks->on_fatal(gw->hooks->ud, DBOT_EAUTH);
        return;
    }
    if (res->err || !cJSON_IsString(url) || !url->valuestring[0]) {
        LOG_W("gateway",
              "shard %d: GET /gateway/bot failed (HTTP %d: %s); "
              "retrying",
              gw->shard_id, res->status,
              res->message ? res->message : "no url in the answer");
        schedule_reconnect(gw, -1);
        return;
    }
    free(gw->gateway_url);
    gw->gateway_url = strdup(url->valuestring);
    {
        const cJSON *sh = cJSON_GetObjectItemCaseSensitive(res->json, "shards");
        const cJSON *mc =
            cJSON_GetObjectItemCaseSensitive(lim, "max_concurrency");
        gw->hooks->on_plan(gw->hooks->ud, cJSON_IsNumber(sh) ? sh->valueint : 1,
                           cJSON_IsNumber(mc) ? mc->valueint : 1,
                           gw->gateway_url);
    }
    /* A resume spends no identify: only an identify waits for the limit. */
    if (cJSON_IsNumber(rem) && rem->valuedouble <= 0 &&
        !(gw->session_id && gw->resume_url && gw->seq >= 0)) {
        /* Identifying now would count against an exhausted daily limit,
         * and Discord resets the token of bots that keep trying. */
        int64_t wait =
            cJSON_IsNumber(reset) ? (int64_t)reset->valuedouble : 60000;
        LOG_E("gateway",
              "shard %d: no identifies left today "
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
    struct dbot__rest_call call = { .method = "GET", .path = "/gateway/bot" };
    int rc;

    if (gw->fetching)
        return;
    gw->fetching = 1;
    gw->state = DBOT__GW_CONNECTING;
    rc = dbot__rest_submit(gw->hooks->rest, &call, gateway_bot_done, gw);
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
    const struct dbot_config *cfg = dbot__gwi_cfg(gw);
    struct gw_conn *c;
    const char *url;
    int resume = gw->session_id && gw->resume_url && gw->seq >= 0;

    if (gw->stopping || gw->conn)
        return;
    if (resume) {
        /* A resume carries the token: only to the gateway's own site. A
         * session from the state file may come before the gateway URL is
         * known; learn it first (the answer calls back here). */
        int ok = dbot__gwi_resume_url_ok(gw, gw->resume_url);

        if (ok < 0) {
            fetch_gateway_url(gw);
            return;
        }
        if (ok == 0) {
            LOG_W("gateway",
                  "shard %d: resume URL \"%s\" is not on the gateway's "
                  "site; identifying instead",
                  gw->shard_id, gw->resume_url);
            resume = 0;
        }
    }
    /* Identifying starts a new session and a new sequence: what is left
     * of the old one (a session whose resume URL was refused) must not
     * make the new session's first events look like duplicates. */
    if (!resume && (gw->session_id || gw->resume_url || gw->seq >= 0))
        dbot__gwi_forget_session(gw);
    url = resume             ? gw->resume_url
          : cfg->gateway_url ? cfg->gateway_url
                             : gw->gateway_url;
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
        LOG_W("gateway", "shard %d: bad gateway URL \"%s\"", gw->shard_id, url);
        free(c);
        if (resume) {
            dbot__gwi_forget_session(
                gw); /* a bad resume URL: identify instead */
            schedule_reconnect(gw, -1);
        } else {
            gw->hooks->on_fatal(gw->hooks->ud, DBOT_ECONFIG);
        }
        return;
    }
    if (c->url.tls && !cfg->tls_verify)
        LOG_W("gateway", "TLS certificate verification is OFF (tls_verify "
                         "false): never do this outside tests");
    gw->conn = c;
    gw->state = DBOT__GW_CONNECTING;
    gw->n.connects++;
    if (dbot__resolve(gw->hooks->resolver, c->url.host, on_resolved, c,
                      &c->dns) < 0) {
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
    const struct dbot_config *cfg = dbot__gwi_cfg(gw);

    if (gw->stopping)
        return;
    if (delay_ms < 0)
        delay_ms = dbot__backoff_ms(gw->attempt, cfg->reconnect_min_ms,
                                    cfg->reconnect_max_ms, dbot__gwi_rnd01(gw));
    gw->attempt++;
    gw->n.reconnects++;
    gw->state = DBOT__GW_IDLE;
    LOG_I("gateway", "shard %d: reconnecting in %lld ms (attempt %d)",
          gw->shard_id, (long long)delay_ms, gw->attempt);
    dbot__gwi_sched(gw, &gw->reconnect_sul, reconnect_cb, delay_ms);
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
    int64_t now = dbot__clock_ms(), delay;

    if (gw->ready_ms && now - gw->ready_ms >= SHORT_SESSION_MS)
        gw->short_sessions = 0;
    gw->ready_ms = 0;
    gw->short_sessions++;
    if (gw->short_sessions < STORM_AFTER)
        return usual;
    delay = dbot__backoff_ms(gw->short_sessions - STORM_AFTER, STORM_MIN_MS,
                             STORM_MAX_MS, dbot__gwi_rnd01(gw));
    LOG_W("gateway",
          "shard %d: %d sessions in a row ended within %d s of "
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

    if (gw->conn == c) {
        gw->conn = NULL;
        gw->presence_queued = 0; /* its queue is gone with it */
    }
    if (!c->established && !c->resuming) {
        /* Connecting with the cached URL failed: ask Discord again. */
        free(gw->gateway_url);
        gw->gateway_url = NULL;
    }
    if (!c->established && c->resuming && ++gw->resume_misses >= 3) {
        /* The resume URL stays unreachable: give the session up and
         * identify through the main gateway URL. */
        LOG_W("gateway",
              "shard %d: resume URL unreachable %d times; "
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
            gw->hooks->on_fatal(gw->hooks->ud, dbot__gw_close_errno(code));
            return;
        case DBOT__CLOSE_IDENTIFY:
            LOG_W("gateway",
                  "shard %d: close %d: session ended, identifying "
                  "anew",
                  gw->shard_id, code);
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
        delay = new_session_delay(
            gw, 1000 + (int64_t)(4000.0 * dbot__gwi_rnd01(gw)));
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
        c->z = dbot__zstream_new(dbot__gwi_cfg(c->gw)->max_message_bytes);
        if (!c->z)
            return -1;
        LOG_D("gateway", "shard %d: websocket open", c->gw->shard_id);
        dbot__gwi_sched(c->gw, &c->guard_sul, close_guard_cb, HELLO_TIMEOUT_MS);
        return 0;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (!c)
            return -1;
        return dbot__gwi_on_receive(c, in, len);
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        if (!c)
            return -1;
        return on_writeable(c);
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (c && len >= 2) {
            const unsigned char *p = in;
            c->server_close_code = (p[0] << 8) | p[1];
            LOG_I("gateway", "shard %d: server closed with %d", c->gw->shard_id,
                  c->server_close_code);
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
                  int shard_count, const struct dbot__gateway_hooks *hooks)
{
    struct dbot__gateway *gw = calloc(1, sizeof *gw);

    if (!gw)
        return DBOT_ENOMEM;
    gw->bot = bot;
    gw->hooks = hooks;
    gw->shard_id = shard_id;
    gw->shard_count = shard_count;
    gw->seq = -1;
    gw->latency_ms = -1;
    /* Seeded by the shard's own address: shards reconnecting after one
     * outage spread out instead of retrying in step. */
    gw->rng = dbot__rand_seed(gw);
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
    dbot__gwi_forget_session(gw);
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
    dbot__gwi_conn_close(gw->conn, code, AFTER_STOP);
}

int
dbot__gateway_session(const struct dbot__gateway *gw,
                      struct dbot__gw_session *out)
{
    memset(out, 0, sizeof *out);
    out->seq = -1;
    if (!gw->session_id || !gw->resume_url || gw->seq < 0 ||
        dbot__gwi_resume_url_ok(gw, gw->resume_url) == 0)
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
        !*s->resume_url || s->seq < 0 ||
        dbot__gwi_resume_url_ok(gw, s->resume_url) == 0)
        return DBOT_EINVAL;
    id = strdup(s->session_id);
    url = strdup(s->resume_url);
    if (!id || !url) {
        free(id);
        free(url);
        return DBOT_ENOMEM;
    }
    dbot__gwi_forget_session(gw);
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
    out->queued = 0;
    if (gw->conn)
        for (const struct txmsg *m = gw->conn->txq_head; m; m = m->next)
            out->queued++;
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

int
dbot__gateway_sync_presence(struct dbot__gateway *gw)
{
    const char *presence;
    unsigned gen;
    char *msg;
    size_t cap;
    int rc;

    if (!gw || gw->state != DBOT__GW_READY)
        return 0;
    presence = gw->hooks->presence(gw->hooks->ud, &gen);
    if (gw->presence_gen == gen || !presence ||
        (gw->presence_queued && gw->presence_queued_gen == gen))
        return 0;
    cap = strlen(presence) + 16;
    msg = malloc(cap);
    if (!msg)
        return DBOT_ENOMEM; /* the next change or Identify carries it */
    snprintf(msg, cap, "{\"op\":3,\"d\":%s}", presence);
    rc = dbot__gateway_send(gw, msg, strlen(msg));
    if (rc == 0) {
        gw->conn->txq_tail->presence = 1;
        gw->conn->txq_tail->presence_gen = gen;
        gw->presence_queued = 1;
        gw->presence_queued_gen = gen;
    }
    free(msg);
    /* A connection already closing sends it after RESUMED: not an error. */
    return rc == DBOT_ESTATE ? 0 : rc;
}

int
dbot__gateway_send(struct dbot__gateway *gw, const char *json, size_t len)
{
    if (!gw->conn || !gw->conn->wsi || gw->conn->close_code)
        return DBOT_ESTATE;
    return dbot__gwi_conn_queue(gw->conn, json, len, TX_USER);
}
