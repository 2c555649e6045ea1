/*
 * gateway_session.c: one shard's gateway session (gateway.h).
 *
 * DESIGN. The shard (struct dbot__gateway) lives as long as the bot and
 * holds the session: session_id, the last sequence number and
 * resume_gateway_url, the reconnect timer and backoff, the identify gate.
 * It opens one connection at a time (gateway_conn.c: the socket, inflate,
 * send queue, heartbeat) and hears from it through callbacks: Hello (send
 * Identify or Resume), messages (dispatches, op 7, op 9), and its end,
 * from which the reconnect policy decides what comes next from the
 * server's close code or the reason the connection was closed.
 *
 * Dispatches update the sequence number, READY and RESUMED the session,
 * and then every dispatch goes to the one sink the wiring gave us.
 */
#include "gateway.h"
#include "gateway_conn.h"

#include "clock.h"
#include "config.h"
#include "gateway_codec.h"
#include "json_arena.h"
#include "log.h"
#include "loop.h"
#include "rand.h"
#include "rest.h"
#include "url.h"

#include <dbot/rest.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define US_PER_MS        1000
#define SHORT_SESSION_MS 60000  /* a session that ends sooner is "short" */
#define STORM_AFTER      3      /* short sessions in a row before ... */
#define STORM_MIN_MS     5000   /* ... identifies back off from 5 s */
#define STORM_MAX_MS     900000 /* to 15 min */

struct dbot__gateway {
    const struct dbot__gateway_hooks *hooks;
    int shard_id, shard_count;
    /* Read from other threads (gateway.h): state, latency, counters and
     * whether a connection is open are atomics; the rest is the gateway
     * thread's. */
    _Atomic enum dbot__gw_state state;
    atomic_int has_conn;
    atomic_int queued; /* payloads in the connection's queue */
    struct dbot__gw_conn *conn;
    struct dbot__jarena *arena;    /* messages are parsed here (gateway.h) */
    struct dbot__gw_budget budget; /* room for the bot's own payloads */
    void *user;                    /* the owner's (dbot__gateway_set_user) */
    int conn_resuming; /* the current connection resumes (else identifies) */

    char *gateway_url; /* from GET /gateway/bot, cached */
    int fetching;      /* that GET is in flight */
    char *session_id;
    char *resume_url;
    int64_t seq;           /* last non-null s, -1 when none */
    unsigned presence_gen; /* presence generation last written (or put in
                              an Identify): what Discord has */
    int presence_queued;   /* an op 3 of presence_queued_gen waits in the
                              current connection's queue */
    unsigned presence_queued_gen;

    int attempt;        /* reconnects since the last READY/RESUMED */
    int64_t ready_ms;   /* when the current session got READY, 0: not */
    int short_sessions; /* sessions in a row that ended soon after start */
    int resume_misses;  /* resume connections that never opened */
    int stopping;
    _Atomic int64_t latency_ms;
    uint64_t rng;
    struct {
        _Atomic uint64_t connects, identifies, resumes, resumed, reconnects;
    } n;
    lws_sorted_usec_list_t reconnect_sul;
    lws_sorted_usec_list_t identify_sul; /* waiting for an identify slot */
};

static void schedule_reconnect(struct dbot__gateway *gw, int64_t delay_ms);
static void reconnect_cb(lws_sorted_usec_list_t *sul);
static void connect_now(struct dbot__gateway *gw);

/* ---- small helpers ------------------------------------------------------ */

static double
rnd01(struct dbot__gateway *gw)
{
    /* Jitter only, not security. */
    return (double)(dbot__rand_next(&gw->rng) >> 11) / 9007199254740992.0;
}

static void
sched(struct dbot__gateway *gw, lws_sorted_usec_list_t *sul, sul_cb_t cb,
      int64_t ms)
{
    lws_sul_schedule(dbot__loop_lws(gw->hooks->loop), 0, sul, cb,
                     (lws_usec_t)(ms < 0 ? 0 : ms) * US_PER_MS);
}

/* May a resume (it carries the token) go to `url`? 1 when it is on the
 * site of the gateway URL (config, else GET /gateway/bot; url.h), 0 when
 * not, -1 while that URL is not known yet. */
static int
resume_url_ok(const struct dbot__gateway *gw, const char *url)
{
    const struct dbot_config *cfg = gw->hooks->cfg;
    const char *ref = cfg->gateway_url ? cfg->gateway_url : gw->gateway_url;

    if (!ref)
        return -1;
    return dbot__url_same_site(url, ref);
}

/* Drop session id, sequence and resume URL: the next connection
 * identifies. */
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

static void
close_conn(struct dbot__gateway *gw, enum dbot__gw_after after)
{
    dbot__gw_conn_close(gw->conn, DBOT__GW_CLOSE_RESUMABLE, after);
}

/* ---- Identify and Resume ------------------------------------------------ */

static void
send_identify_or_resume(struct dbot__gateway *gw)
{
    const struct dbot_config *cfg = gw->hooks->cfg;
    enum dbot__gw_tag tag = DBOT__GW_TAG_NONE;
    char *p;

    if (gw->conn_resuming) {
        p = dbot__gw_resume(cfg->token, gw->session_id, gw->seq);
        gw->n.resumes++;
        LOG_I("gateway", "shard %d: resuming session at seq %lld", gw->shard_id,
              (long long)gw->seq);
    } else {
        int left_out = 0;
        char *presence = gw->hooks->presence(gw->hooks->ud, &gw->presence_gen);
        struct dbot__identify id = {
            .token = cfg->token,
            .intents = cfg->intents,
            .shard_id = gw->shard_id,
            .shard_count = gw->shard_count,
            .large_threshold = cfg->large_threshold,
            .presence_json = presence,
            .presence_left_out = &left_out,
        };
        p = dbot__gw_identify(&id);
        free(presence);
        /* Not in the Identify (memory ran out parsing it): mark this
         * generation unsent, so READY sends it as op 3. */
        if (left_out)
            gw->presence_gen--;
        gw->n.identifies++;
        tag = DBOT__GW_TAG_IDENTIFY;
        LOG_I("gateway", "shard %d: identifying (intents %llu)", gw->shard_id,
              (unsigned long long)cfg->intents);
    }
    if (!p || dbot__gw_conn_send(gw->conn, p, strlen(p), DBOT__GW_TX_SESSION,
                                 tag, 0) < 0)
        close_conn(gw, DBOT__GW_AFTER_RECONNECT);
    atomic_store(&gw->queued, dbot__gw_conn_queued(gw->conn));
    free(p);
}

static void identify_when_allowed(struct dbot__gateway *gw);

static void
identify_gate_cb(lws_sorted_usec_list_t *sul)
{
    struct dbot__gateway *gw =
        lws_container_of(sul, struct dbot__gateway, identify_sul);

    if (gw->conn)
        identify_when_allowed(gw);
}

/* Resumes go at once; identifies wait for their max_concurrency slot. */
static void
identify_when_allowed(struct dbot__gateway *gw)
{
    int64_t wait = 0;

    if (dbot__gw_conn_closing(gw->conn))
        return;
    if (!gw->conn_resuming)
        wait = gw->hooks->identify_wait(gw->hooks->ud, gw->shard_id);
    if (wait > 0) {
        LOG_D("gateway", "shard %d: identify in %lld ms (max_concurrency)",
              gw->shard_id, (long long)wait);
        sched(gw, &gw->identify_sul, identify_gate_cb, wait);
        return;
    }
    send_identify_or_resume(gw);
}

/* ---- what the connection tells us --------------------------------------- */

static void
conn_hello(void *ud)
{
    struct dbot__gateway *gw = ud;

    gw->state = DBOT__GW_HANDSHAKING;
    identify_when_allowed(gw);
}

static void
conn_ack(void *ud, int64_t latency_ms)
{
    struct dbot__gateway *gw = ud;

    gw->latency_ms = latency_ms;
}

static void
conn_written(void *ud, enum dbot__gw_tag tag, unsigned gen)
{
    struct dbot__gateway *gw = ud;

    atomic_store(&gw->queued, dbot__gw_conn_queued(gw->conn));
    if (tag == DBOT__GW_TAG_IDENTIFY) {
        gw->hooks->identify_sent(gw->hooks->ud, gw->shard_id);
    } else if (tag == DBOT__GW_TAG_PRESENCE) {
        /* Only now is it Discord's: a queue dropped by a reconnect does
         * not count, and the next READY or RESUMED sends it again. */
        gw->presence_gen = gen;
        if (gw->presence_queued_gen == gen)
            gw->presence_queued = 0;
    }
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

/* Returns 1 when the sink kept the message's tree. */
static int
on_dispatch(struct dbot__gateway *gw, const struct dbot__gw_msg *m,
            int after_malformed)
{
    dbot_event ev;
    int kept;

    if (m->s >= 0) {
        if (gw->seq >= 0 && m->s > gw->seq + 1 && after_malformed) {
            /* A message we could not parse was an event: resume from the
             * last good one so Discord replays it. */
            LOG_W("gateway",
                  "shard %d: sequence gap %lld -> %lld after a malformed "
                  "message; resuming to replay the missed events",
                  gw->shard_id, (long long)gw->seq, (long long)m->s);
            close_conn(gw, DBOT__GW_AFTER_RESUME);
            return 0;
        }
        if (gw->seq >= 0 && m->s <= gw->seq) {
            LOG_D("gateway", "shard %d: duplicate seq %lld ignored",
                  gw->shard_id, (long long)m->s);
            return 0;
        }
    }
    if (!m->t) {
        if (m->s >= 0)
            gw->seq = m->s;
        return 0;
    }
    if (strcmp(m->t, "READY") == 0) {
        set_str(&gw->session_id,
                cJSON_GetObjectItemCaseSensitive(m->d, "session_id"));
        set_str(&gw->resume_url,
                cJSON_GetObjectItemCaseSensitive(m->d, "resume_gateway_url"));
        /* The same check as for a saved session: one rule for where the
         * token may go, whoever named the place. */
        if (gw->resume_url && resume_url_ok(gw, gw->resume_url) == 0) {
            LOG_W("gateway",
                  "shard %d: READY's resume URL \"%s\" is not on the "
                  "gateway's site; this session will not be resumed",
                  gw->shard_id, gw->resume_url);
            free(gw->resume_url);
            gw->resume_url = NULL;
        }
        gw->state = DBOT__GW_READY;
        gw->attempt = 0;
        gw->ready_ms = dbot__clock_ms();
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
    ev.name = m->t;
    ev.data = m->d;
    ev.shard_id = gw->shard_id;
    ev.seq = m->s;
    kept = gw->hooks->on_dispatch(gw->hooks->ud, gw, &ev);
    if (kept < 0) {
        /* The owner could not take it: the sequence stays before it, and
         * a resume gets it replayed. */
        close_conn(gw, DBOT__GW_AFTER_RESUME);
        return 0;
    }
    if (m->s >= 0)
        gw->seq = m->s;
    return kept;
}

static int
conn_message(void *ud, const struct dbot__gw_msg *m, int after_malformed)
{
    struct dbot__gateway *gw = ud;

    switch (m->op) {
    case DBOT__OP_DISPATCH:
        return on_dispatch(gw, m, after_malformed);
    case DBOT__OP_RECONNECT:
        LOG_I("gateway", "shard %d: Discord asked to reconnect (op 7)",
              gw->shard_id);
        close_conn(gw, DBOT__GW_AFTER_RESUME);
        break;
    case DBOT__OP_INVALID_SESSION:
        if (cJSON_IsTrue(m->d) && gw->session_id) {
            LOG_I("gateway", "shard %d: invalid session (resumable)",
                  gw->shard_id);
            close_conn(gw, DBOT__GW_AFTER_RESUME);
        } else {
            LOG_W("gateway",
                  "shard %d: invalid session, identifying anew after 1-5 s",
                  gw->shard_id);
            forget_session(gw);
            close_conn(gw, DBOT__GW_AFTER_IDENTIFY);
        }
        break;
    default:
        LOG_D("gateway", "shard %d: ignoring op %d", gw->shard_id, m->op);
        break;
    }
    return 0;
}

/* ---- connecting --------------------------------------------------------- */

static void conn_end(void *ud, const struct dbot__gw_conn_end *end);

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
        const char *configured = gw->hooks->cfg->gateway_url;

        LOG_W("gateway", "shard %d: GET /gateway/bot failed (HTTP %d: %s); %s",
              gw->shard_id, res->status,
              res->message ? res->message : "no url in the answer",
              configured ? "connecting to the configured gateway_url "
                           "without checking session_start_limit"
                         : "retrying");
        if (!configured) {
            schedule_reconnect(gw, -1);
            return;
        }
        /* The configured URL does not need the answer: a REST outage
         * must not keep the gateway down. Asked again before the next
         * new session. */
        free(gw->gateway_url);
        gw->gateway_url = strdup(configured);
        connect_now(gw);
        return;
    }
    free(gw->gateway_url);
    gw->gateway_url = strdup(url->valuestring);
    {
        const cJSON *sh = cJSON_GetObjectItemCaseSensitive(res->json, "shards");
        const cJSON *mc =
            cJSON_GetObjectItemCaseSensitive(lim, "max_concurrency");
        gw->hooks->on_plan(
            gw->hooks->ud, gw, cJSON_IsNumber(sh) ? sh->valueint : 1,
            cJSON_IsNumber(mc) ? mc->valueint : 1, gw->gateway_url);
        if (gw->hooks->on_session_limit) {
            const cJSON *tot = cJSON_GetObjectItemCaseSensitive(lim, "total");
            gw->hooks->on_session_limit(
                gw->hooks->ud, cJSON_IsNumber(rem) ? rem->valuedouble : -1,
                cJSON_IsNumber(tot) ? tot->valuedouble : -1,
                cJSON_IsNumber(reset) ? reset->valuedouble : -1);
        }
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
    struct dbot__rest_call call = { .method = "GET",
                                    .path = "/gateway/bot",
                                    .deliver = gw->hooks->rest_deliver,
                                    .deliver_ctx = gw->hooks->loop };
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
    const struct dbot_config *cfg = gw->hooks->cfg;
    const struct dbot__gw_conn_cbs cbs = {
        .ud = gw,
        .on_hello = conn_hello,
        .on_message = conn_message,
        .on_ack = conn_ack,
        .on_written = conn_written,
        .on_end = conn_end,
    };
    struct dbot__gw_conn_opts o = {
        .loop = gw->hooks->loop,
        .resolver = gw->hooks->resolver,
        .tls_verify = cfg->tls_verify,
        .max_message_bytes = cfg->max_message_bytes,
        .compress = cfg->compress,
        .shard_id = gw->shard_id,
        .seq = &gw->seq,
        .arena = &gw->arena,
        .budget = &gw->budget,
    };
    int resume = gw->session_id && gw->resume_url && gw->seq >= 0;
    int64_t hold;
    int rc;

    if (gw->stopping || gw->conn)
        return;
    /* The owner may hold a connection back (the loop thread is behind on
     * this shard's events: gateway_thread.c); asked again after `hold`. */
    hold = gw->hooks->connect_wait ? gw->hooks->connect_wait(gw->hooks->ud, gw)
                                   : 0;
    if (hold > 0) {
        gw->state = DBOT__GW_IDLE;
        sched(gw, &gw->reconnect_sul, reconnect_cb, hold);
        return;
    }
    if (resume) {
        /* A resume carries the token: only to the gateway's own site. A
         * session from the state file may come before the gateway URL is
         * known; learn it first (the answer calls back here). */
        int ok = resume_url_ok(gw, gw->resume_url);

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
        forget_session(gw);
    /* An identify asks GET /gateway/bot first, even with a configured
     * gateway_url (a proxy, the fake): its answer carries the
     * session_start_limit to respect and the shard plan for "shards": 0.
     * gw->gateway_url is forgotten with every session, so each new
     * session asks again. */
    if (!resume && !gw->gateway_url) {
        fetch_gateway_url(gw);
        return;
    }
    o.url = resume             ? gw->resume_url
            : cfg->gateway_url ? cfg->gateway_url
                               : gw->gateway_url;
    gw->conn_resuming = resume;
    gw->state = DBOT__GW_CONNECTING;
    gw->n.connects++;
    rc = dbot__gw_conn_open(&gw->conn, &o, &cbs);
    atomic_store(&gw->has_conn, gw->conn != NULL);
    if (rc == DBOT_EINVAL && resume) {
        forget_session(gw); /* a bad resume URL: identify instead */
        schedule_reconnect(gw, -1);
    } else if (rc == DBOT_EINVAL) {
        gw->hooks->on_fatal(gw->hooks->ud, DBOT_ECONFIG);
    } else if (rc < 0) {
        schedule_reconnect(gw, -1);
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
    const struct dbot_config *cfg = gw->hooks->cfg;

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
    int64_t now = dbot__clock_ms(), delay;

    if (gw->ready_ms && now - gw->ready_ms >= SHORT_SESSION_MS)
        gw->short_sessions = 0;
    gw->ready_ms = 0;
    gw->short_sessions++;
    if (gw->short_sessions < STORM_AFTER)
        return usual;
    delay = dbot__backoff_ms(gw->short_sessions - STORM_AFTER, STORM_MIN_MS,
                             STORM_MAX_MS, rnd01(gw));
    LOG_W("gateway",
          "shard %d: %d sessions in a row ended within %d s of "
          "starting; waiting %lld s before identifying again "
          "(Discord allows 1000 identifies a day)",
          gw->shard_id, gw->short_sessions, SHORT_SESSION_MS / 1000,
          (long long)(delay / 1000));
    return delay;
}

/* The connection is gone: decide what comes next. */
static void
conn_end(void *ud, const struct dbot__gw_conn_end *end)
{
    struct dbot__gateway *gw = ud;
    enum dbot__gw_after after = end->after;
    int code = end->server_close_code;
    int64_t delay = -1;

    gw->conn = NULL;
    atomic_store(&gw->has_conn, 0);
    atomic_store(&gw->queued, 0);
    gw->presence_queued = 0; /* its queue is gone with it */
    lws_sul_cancel(&gw->identify_sul);
    if (!end->established && !gw->conn_resuming) {
        /* Connecting with the cached URL failed: ask Discord again. */
        free(gw->gateway_url);
        gw->gateway_url = NULL;
    }
    if (!end->established && gw->conn_resuming && ++gw->resume_misses >= 3) {
        /* The resume URL stays unreachable: give the session up and
         * identify through the main gateway URL. */
        LOG_W("gateway",
              "shard %d: resume URL unreachable %d times; "
              "identifying anew",
              gw->shard_id, gw->resume_misses);
        forget_session_for_identify(gw);
    }
    if (gw->stopping || after == DBOT__GW_AFTER_STOP) {
        gw->state = DBOT__GW_STOPPED;
        return;
    }
    if (code && after == DBOT__GW_AFTER_RECONNECT) {
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
    } else if (after == DBOT__GW_AFTER_IDENTIFY) {
        forget_session_for_identify(gw);
        /* The docs asked for a random 1-5 s wait before identifying. */
        delay = new_session_delay(gw, 1000 + (int64_t)(4000.0 * rnd01(gw)));
    } else if (after == DBOT__GW_AFTER_RESUME && gw->attempt == 0) {
        delay = 0; /* a healthy session asked to move: go at once */
    }
    schedule_reconnect(gw, delay);
}

/* ---- shard -------------------------------------------------------------- */

/* The arena's bound per message: a parse tree takes a few times its text
 * (a 64-byte node per value, plus strings); 16 times covers any message
 * Discord sends, and a pathological one ("[0,0,0,...]", up to 32 times) is
 * refused like an oversized message instead of taking all memory. */
size_t
dbot__gateway_arena_bound(size_t max_message_bytes)
{
    return max_message_bytes > SIZE_MAX / 16 ? SIZE_MAX
                                             : max_message_bytes * 16;
}

int
dbot__gateway_new(struct dbot__gateway **out, int shard_id, int shard_count,
                  const struct dbot__gateway_hooks *hooks)
{
    struct dbot__gateway *gw = calloc(1, sizeof *gw);

    if (!gw)
        return DBOT_ENOMEM;
    gw->arena = dbot__jarena_new(
        dbot__gateway_arena_bound(hooks->cfg->max_message_bytes));
    if (!gw->arena) {
        free(gw);
        return DBOT_ENOMEM;
    }
    pthread_mutex_init(&gw->budget.mu, NULL);
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
    lws_sul_cancel(&gw->identify_sul);
    if (gw->conn)
        dbot__gw_conn_cancel_timers(gw->conn);
}

void
dbot__gateway_free(struct dbot__gateway *gw)
{
    if (!gw)
        return;
    /* The context is gone, so lws will not call back for it. */
    dbot__gw_conn_free(gw->conn);
    gw->conn = NULL;
    lws_sul_cancel(&gw->identify_sul);
    forget_session(gw);
    free(gw->gateway_url);
    dbot__jarena_free(gw->arena);
    pthread_mutex_destroy(&gw->budget.mu);
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
    /* Still resolving, it ends at once (conn_end: STOPPED). */
    dbot__gw_conn_close(gw->conn, code, DBOT__GW_AFTER_STOP);
}

int
dbot__gateway_session(const struct dbot__gateway *gw,
                      struct dbot__gw_session *out)
{
    memset(out, 0, sizeof *out);
    out->seq = -1;
    if (!gw->session_id || !gw->resume_url || gw->seq < 0 ||
        resume_url_ok(gw, gw->resume_url) == 0)
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
        !*s->resume_url || s->seq < 0 || resume_url_ok(gw, s->resume_url) == 0)
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
    out->connects = atomic_load(&gw->n.connects);
    out->identifies = atomic_load(&gw->n.identifies);
    out->resumes = atomic_load(&gw->n.resumes);
    out->resumed = atomic_load(&gw->n.resumed);
    out->reconnects = atomic_load(&gw->n.reconnects);
    out->queued = (uint64_t)atomic_load(&gw->queued);
    pthread_mutex_lock(&((struct dbot__gateway *)gw)->budget.mu);
    out->own_msgs = (uint64_t)gw->budget.msgs;
    out->own_bytes = (uint64_t)gw->budget.bytes;
    pthread_mutex_unlock(&((struct dbot__gateway *)gw)->budget.mu);
}

int
dbot__gateway_is_closed(const struct dbot__gateway *gw)
{
    return !atomic_load(&gw->has_conn);
}

int
dbot__gateway_shard_id(const struct dbot__gateway *gw)
{
    return gw->shard_id;
}

void
dbot__gateway_set_user(struct dbot__gateway *gw, void *user)
{
    gw->user = user;
}

void *
dbot__gateway_user(const struct dbot__gateway *gw)
{
    return gw->user;
}

struct dbot__jarena *
dbot__gateway_swap_arena(struct dbot__gateway *gw, struct dbot__jarena *fresh)
{
    struct dbot__jarena *old = gw->arena;

    gw->arena = fresh;
    return old;
}

void
dbot__gateway_pause(struct dbot__gateway *gw)
{
    if (gw->conn && !dbot__gw_conn_closing(gw->conn))
        close_conn(gw, DBOT__GW_AFTER_RESUME);
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
    char *presence;
    unsigned gen;
    char *msg;
    size_t cap;
    int rc;

    if (!gw || gw->state != DBOT__GW_READY)
        return 0;
    presence = gw->hooks->presence(gw->hooks->ud, &gen);
    if (gw->presence_gen == gen || !presence ||
        (gw->presence_queued && gw->presence_queued_gen == gen)) {
        free(presence);
        return 0;
    }
    cap = strlen(presence) + 16;
    msg = malloc(cap);
    if (!msg) {
        free(presence);
        return DBOT_ENOMEM; /* the next change or Identify carries it */
    }
    snprintf(msg, cap, "{\"op\":3,\"d\":%s}", presence);
    free(presence);
    rc =
        gw->conn ? dbot__gw_budget_take(&gw->budget, strlen(msg)) : DBOT_ESTATE;
    if (rc == 0) {
        rc = dbot__gw_conn_send(gw->conn, msg, strlen(msg), DBOT__GW_TX_USER,
                                DBOT__GW_TAG_PRESENCE, gen);
        if (rc < 0)
            dbot__gw_budget_give(&gw->budget, strlen(msg));
    }
    if (rc == 0) {
        gw->presence_queued = 1;
        gw->presence_queued_gen = gen;
        atomic_store(&gw->queued, dbot__gw_conn_queued(gw->conn));
    }
    free(msg);
    /* A connection already closing sends it after RESUMED: not an error. */
    return rc == DBOT_ESTATE ? 0 : rc;
}

int
dbot__gateway_send(struct dbot__gateway *gw, const char *json, size_t len)
{
    int rc = DBOT_ESTATE;

    if (gw->conn)
        rc = dbot__gw_conn_send(gw->conn, json, len, DBOT__GW_TX_USER,
                                DBOT__GW_TAG_NONE, 0);
    if (rc < 0)
        dbot__gw_budget_give(&gw->budget, len);
    else
        atomic_store(&gw->queued, dbot__gw_conn_queued(gw->conn));
    return rc;
}

void
dbot__gateway_unreserve(struct dbot__gateway *gw, size_t len)
{
    dbot__gw_budget_give(&gw->budget, len);
}

const struct dbot__jarena *
dbot__gateway_arena(const struct dbot__gateway *gw)
{
    return gw->arena;
}

int
dbot__gateway_reserve(struct dbot__gateway *gw, size_t len)
{
    int rc = dbot__gw_budget_take(&gw->budget, len);

    if (rc < 0)
        LOG_D("gateway", "shard %d: send queue full", gw->shard_id);
    return rc;
}
