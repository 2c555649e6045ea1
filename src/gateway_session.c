/*
 * gateway_session.c: what arrives on a gateway connection and what it
 * answers: Hello starts the heartbeat (first beat after interval * jitter),
 * a missing op 11 between two beats is a zombie connection (closed 4000,
 * resumed), Identify or Resume goes out (identifies through the
 * max_concurrency gate), and dispatches update the sequence number, READY
 * and RESUMED the session, before reaching the interactions and the
 * handlers. The connection objects themselves live in gateway.c.
 */
#include "gateway_impl.h"
#include "clock.h"

#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- heartbeats --------------------------------------------------------- */

static void
send_heartbeat(struct gw_conn *c)
{
    char *hb = dbot__gw_heartbeat(c->gw->seq);

    if (!hb)
        return;
    /* The ACK clock starts when the beat is written (gateway.c), not
     * here: a beat queued behind the send limit is not late yet. */
    dbot__gwi_conn_queue(c, hb, strlen(hb), TX_HEARTBEAT);
    free(hb);
}

static void
heartbeat_cb(lws_sorted_usec_list_t *sul)
{
    struct gw_conn *c = lws_container_of(sul, struct gw_conn, hb_sul);

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
              c->gw->shard_id, (long long)(dbot__clock_ms() - c->hb_sent_at));
        dbot__gwi_conn_close(c, CLOSE_RESUMABLE, AFTER_RESUME);
        return;
    }
    send_heartbeat(c);
    dbot__gwi_sched(c->gw, &c->hb_sul, heartbeat_cb, c->hb_interval_ms);
}

/* ---- receiving ---------------------------------------------------------- */

static void
send_identify_or_resume(struct gw_conn *c)
{
    struct dbot__gateway *gw = c->gw;
    const struct dbot_config *cfg = dbot__gwi_cfg(gw);
    char *p;

    if (c->resuming) {
        p = dbot__gw_resume(cfg->token, gw->session_id, gw->seq);
        gw->n.resumes++;
        LOG_I("gateway", "shard %d: resuming session at seq %lld", gw->shard_id,
              (long long)gw->seq);
    } else {
        int left_out = 0;
        struct dbot__identify id = {
            .token = cfg->token,
            .intents = cfg->intents,
            .shard_id = gw->shard_id,
            .shard_count = gw->shard_count,
            .large_threshold = cfg->large_threshold,
            .presence_json =
                gw->hooks->presence(gw->hooks->ud, &gw->presence_gen),
            .presence_left_out = &left_out,
        };
        p = dbot__gw_identify(&id);
        /* Not in the Identify (memory ran out parsing it): mark this
         * generation unsent, so READY sends it as op 3. */
        if (left_out)
            gw->presence_gen--;
        gw->n.identifies++;
        LOG_I("gateway", "shard %d: identifying (intents %llu)", gw->shard_id,
              (unsigned long long)cfg->intents);
    }
    if (!p) {
        dbot__gwi_conn_close(c, CLOSE_RESUMABLE, AFTER_RECONNECT);
        return;
    }
    if (dbot__gwi_conn_queue(c, p, strlen(p), TX_SESSION) < 0)
        dbot__gwi_conn_close(c, CLOSE_RESUMABLE, AFTER_RECONNECT);
    else if (!c->resuming)
        c->txq_tail->identify = 1;
    free(p);
}

static void
identify_gate_cb(lws_sorted_usec_list_t *sul)
{
    struct gw_conn *c = lws_container_of(sul, struct gw_conn, identify_sul);

    dbot__gwi_identify_when_allowed(c);
}

/* Resumes go at once; identifies wait for their max_concurrency slot. */
void
dbot__gwi_identify_when_allowed(struct gw_conn *c)
{
    int64_t wait = 0;

    if (c->close_code)
        return;
    if (!c->resuming)
        wait = c->gw->hooks->identify_wait(c->gw->hooks->ud, c->gw->shard_id);
    if (wait > 0) {
        LOG_D("gateway", "shard %d: identify in %lld ms (max_concurrency)",
              c->gw->shard_id, (long long)wait);
        dbot__gwi_sched(c->gw, &c->identify_sul, identify_gate_cb, wait);
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
        dbot__gwi_conn_close(c, CLOSE_RESUMABLE, AFTER_RECONNECT);
        return;
    }
    c->hello_seen = 1;
    lws_sul_cancel(&c->guard_sul);
    c->hb_interval_ms = (int64_t)iv->valuedouble;
    c->awaiting_ack = 0;
    /* First beat after interval * jitter, jitter in [0, 1). */
    first = (int64_t)((double)c->hb_interval_ms * dbot__gwi_rnd01(c->gw));
    LOG_D("gateway", "shard %d: hello, heartbeat every %lld ms, first in %lld",
          c->gw->shard_id, (long long)c->hb_interval_ms, (long long)first);
    dbot__gwi_sched(c->gw, &c->hb_sul, heartbeat_cb, first);
    c->gw->state = DBOT__GW_HANDSHAKING;
    dbot__gwi_identify_when_allowed(c);
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
            dbot__gwi_conn_close(c, CLOSE_RESUMABLE, AFTER_RESUME);
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
        /* The same check as for a saved session: one rule for where the
         * token may go, whoever named the place. */
        if (gw->resume_url &&
            dbot__gwi_resume_url_ok(gw, gw->resume_url) == 0) {
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
    gw->hooks->on_dispatch(gw->hooks->ud, &ev);
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
        gw->latency_ms = dbot__clock_ms() - c->hb_sent_at;
        break;
    case DBOT__OP_HEARTBEAT:
        /* Discord asks for a beat now; the timer keeps its rhythm. */
        send_heartbeat(c);
        break;
    case DBOT__OP_RECONNECT:
        LOG_I("gateway", "shard %d: Discord asked to reconnect (op 7)",
              gw->shard_id);
        dbot__gwi_conn_close(c, CLOSE_RESUMABLE, AFTER_RESUME);
        break;
    case DBOT__OP_INVALID_SESSION:
        if (cJSON_IsTrue(m.d) && gw->session_id) {
            LOG_I("gateway", "shard %d: invalid session (resumable)",
                  gw->shard_id);
            dbot__gwi_conn_close(c, CLOSE_RESUMABLE, AFTER_RESUME);
        } else {
            LOG_W("gateway",
                  "shard %d: invalid session, identifying anew after 1-5 s",
                  gw->shard_id);
            dbot__gwi_forget_session(gw);
            dbot__gwi_conn_close(c, CLOSE_RESUMABLE, AFTER_IDENTIFY);
        }
        break;
    default:
        LOG_D("gateway", "shard %d: ignoring op %d", gw->shard_id, m.op);
        break;
    }
    cJSON_Delete(m.root);
}

/* Every connection asks for zlib-stream (url.c), so every byte goes
 * through the one inflate stream, which reassembles fragments and bounds
 * each message by max_message_bytes. */
int
dbot__gwi_on_receive(struct gw_conn *c, const void *in, size_t len)
{
    int rc;

    if (!c->z)
        return -1;
    rc = dbot__zstream_feed(c->z, in, len, on_message, c);
    if (rc < 0) {
        /* The inflate stream is unusable now; a new connection gets a
         * fresh one, and resuming replays what this one lost. */
        LOG_W("gateway", "shard %d: zlib-stream: %s; reconnecting",
              c->gw->shard_id, dbot_strerror(rc));
        dbot__gwi_conn_close(c, CLOSE_RESUMABLE, AFTER_RESUME);
    }
    return 0;
}
