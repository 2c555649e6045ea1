/*
 * fakecord.c: the fake's thread, its lws context, the command queue and
 * the public API (see fakecord.h).
 *
 * DESIGN. fakecord_start() creates a thread that builds the lws context
 * (one vhost, one protocol serving both HTTP and websockets), reports the
 * port through `cv`, then services until `stopping`. A caller thread that
 * needs a socket operation (push, close, ...) fills an fc_cmd on its own
 * stack, appends it to fc->q under `mu`, calls lws_cancel_service() and
 * waits on `cv` for `done`; the loop drains the queue in
 * LWS_CALLBACK_EVENT_WAIT_CANCELLED. Pure data settings (rules, limits,
 * flags) and queries only take `mu`, which the loop holds during every
 * callback, so they never race a half-finished callback.
 */
#include "fakecord.h"
#include "fake_gateway.h"
#include "fake_rest.h"
#include "fake_routes.h"
#include "fake_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    CMD_PUSH,
    CMD_PUSH_GARBLED,
    CMD_RECONNECT,
    CMD_INVALID,
    CMD_HBREQ,
    CMD_CLOSE,
    CMD_DROP,
    CMD_RAW,
    CMD_WIRE,
    CMD_BATCH,
    CMD_PUSH_IX,
    CMD_HOLD_HELLO,
    CMD_REVOKE,
};

struct fc_cmd {
    struct fc_cmd *next;
    int kind, shard, a;
    const char *s1, *s2;
    size_t len;
    int done;
    int64_t result;
};

static int64_t
cmd_push(struct fakecord *fc, struct fc_cmd *k)
{
    struct fc_session *s = fc_session_newest(fc, k->shard);
    cJSON *j;

    if (!s || !k->s1 || !k->s2)
        return -1;
    j = cJSON_Parse(k->s2);
    if (!j)
        return -1;
    cJSON_Delete(j);
    if (k->kind == CMD_PUSH_GARBLED)
        return fc_gw_dispatch_garbled(fc, s, k->s1, k->s2);
    return fc_gw_dispatch(fc, s, k->s1, k->s2);
}

static int64_t
cmd_batch(struct fakecord *fc, struct fc_cmd *k)
{
    struct fc_conn *c = fc_gw_target(fc, k->shard);
    const char *t = k->s1 ? k->s1 : "FAKECORD_BATCH";
    char **texts;
    int64_t seq = -1;
    int n = k->a;

    if (!c || !c->sess || n <= 0)
        return -1;
    texts = calloc((size_t)n, sizeof *texts);
    if (!texts)
        return -1;
    for (int i = 0; i < n; i++) {
        char d[32];
        const char *dj = k->s2;
        size_t cap;

        if (!dj) {
            snprintf(d, sizeof d, "{\"i\":%d}", i);
            dj = d;
        }
        seq = ++c->sess->seq;
        cap = strlen(t) + strlen(dj) + 64;
        texts[i] = malloc(cap);
        if (texts[i]) {
            snprintf(texts[i], cap,
                     "{\"op\":0,\"d\":%s,\"s\":%lld,\"t\":\"%s\"}", dj,
                     (long long)seq, t);
            fc_session_store(fc, c->sess, texts[i]);
        }
    }
    fc->st.last_seq_sent = seq;
    for (int i = 0; i < n; i++)
        if (!texts[i])
            seq = -1;
    if (seq > 0 && fc_gw_send_batch(fc, c, texts, n) < 0)
        seq = -1;
    for (int i = 0; i < n; i++)
        free(texts[i]);
    free(texts);
    return seq;
}

static int64_t
hold_hello(struct fakecord *fc, int hold)
{
    struct fc_conn *c;

    fc->hold_hello = hold;
    if (!hold)
        for (c = fc->conns; c; c = c->next)
            if (c->hello_held)
                fc_gw_hello(fc, c);
    return 0;
}

static int64_t
cmd_run(struct fakecord *fc, struct fc_cmd *k)
{
    struct fc_conn *c;

    switch (k->kind) {
    case CMD_PUSH:
    case CMD_PUSH_GARBLED:
        return cmd_push(fc, k);
    case CMD_BATCH:
        return cmd_batch(fc, k);
    case CMD_PUSH_IX:
        return (int64_t)fc_ix_push(fc, k->s1);
    case CMD_HOLD_HELLO:
        return hold_hello(fc, k->a);
    case CMD_REVOKE:
        fc_gw_revoke_intents(fc, (uint64_t)k->a);
        return 0;
    default:
        break;
    }
    c = fc_gw_target(fc, k->shard);
    if (!c)
        return -1;
    switch (k->kind) {
    case CMD_RECONNECT:
        return fc_gw_send(fc, c, "{\"t\":null,\"s\":null,\"op\":7,\"d\":null}",
                          35);
    case CMD_INVALID:
        fc_gw_invalid_session(fc, c, k->a);
        return 0;
    case CMD_HBREQ:
        return fc_gw_send(fc, c, "{\"t\":null,\"s\":null,\"op\":1,\"d\":null}",
                          35);
    case CMD_CLOSE:
        fc_gw_close(fc, c, k->a, "fakecord");
        return 0;
    case CMD_DROP:
        fc_gw_drop(fc, c);
        return 0;
    case CMD_RAW:
        return fc_gw_send(fc, c, k->s1, k->len);
    case CMD_WIRE:
        return fc_gw_send_wire(fc, c, k->s1, k->len);
    default:
        return -1;
    }
}

/* Loop thread, mu held: run every queued command and wake the waiters. */
static void
drain_commands(struct fakecord *fc)
{
    struct fc_cmd *k = fc->q_head;

    fc->q_head = fc->q_tail = NULL;
    while (k) {
        struct fc_cmd *next = k->next;

        k->result = fc->stopping ? -1 : cmd_run(fc, k);
        k->done = 1;
        k = next;
    }
    pthread_cond_broadcast(&fc->cv);
}

static int64_t
cmd_submit(struct fakecord *fc, struct fc_cmd *k)
{
    if (!fc)
        return -1;
    pthread_mutex_lock(&fc->mu);
    if (fc->stopping) {
        pthread_mutex_unlock(&fc->mu);
        return -1;
    }
    if (fc->q_tail)
        fc->q_tail->next = k;
    else
        fc->q_head = k;
    fc->q_tail = k;
    lws_cancel_service(fc->ctx); /* under mu: see fakecord_stop() */
    while (!k->done)
        pthread_cond_wait(&fc->cv, &fc->mu);
    pthread_mutex_unlock(&fc->mu);
    return k->result;
}

static int
fc_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
            void *in, size_t len)
{
    struct fakecord *fc = lws_context_user(lws_get_context(wsi));
    struct fc_pss *pss = user;
    int rc;

    if (!fc)
        return 0;
    pthread_mutex_lock(&fc->mu);
    switch (reason) {
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        drain_commands(fc);
        rc = 0;
        break;
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
    case LWS_CALLBACK_ESTABLISHED:
    case LWS_CALLBACK_RECEIVE:
    case LWS_CALLBACK_SERVER_WRITEABLE:
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
    case LWS_CALLBACK_CLOSED:
        rc = fc_gw_callback(fc, wsi, reason, pss, in, len);
        break;
    case LWS_CALLBACK_HTTP:
    case LWS_CALLBACK_HTTP_BODY:
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
    case LWS_CALLBACK_HTTP_WRITEABLE:
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
        rc = fc_rest_callback(fc, wsi, reason, pss, in, len);
        break;
    default:
        rc = lws_callback_http_dummy(wsi, reason, user, in, len);
        break;
    }
    pthread_mutex_unlock(&fc->mu);
    return rc;
}

static const struct lws_protocols fc_protocols[] = {
    { "fakecord", fc_callback, sizeof(struct fc_pss), 0, 0, NULL, 0 },
    { NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void *
fc_thread(void *arg)
{
    struct fakecord *fc = arg;
    struct lws_context_creation_info info;
    struct lws_context *ctx;
    int port = -1;

    memset(&info, 0, sizeof info);
    info.port = fc->o.port;
    info.iface = "127.0.0.1";
    info.protocols = fc_protocols;
    info.user = fc;
    info.gid = -1;
    info.uid = -1;
    info.vhost_name = "fakecord";
    /* Without this lws would refuse a second request on a keep-alive
     * connection after a body-less reply; curl reuses connections. */
    info.keepalive_timeout = 30;
    /* Interaction tokens are in request paths and can be very long. */
    info.max_http_header_data2 = 96 * 1024;
    info.timeout_secs = 30;
    if (fc->o.tls_cert_file && fc->o.tls_key_file) {
        info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
        info.ssl_cert_filepath = fc->o.tls_cert_file;
        info.ssl_private_key_filepath = fc->o.tls_key_file;
    }
    ctx = lws_create_context(&info);
    if (ctx) {
        fc->vh = lws_get_vhost_by_name(ctx, "fakecord");
        port = fc->vh ? lws_get_vhost_listen_port(fc->vh) : -1;
    }
    pthread_mutex_lock(&fc->mu);
    if (!ctx || port <= 0) {
        fc->started = -1;
        pthread_cond_broadcast(&fc->cv);
        pthread_mutex_unlock(&fc->mu);
        if (ctx)
            lws_context_destroy(ctx);
        return NULL;
    }
    fc->ctx = ctx;
    fc->port = port;
    if (info.ssl_cert_filepath) {
        /* The test certificate names localhost: clients verify it. */
        snprintf(fc->api_url, sizeof fc->api_url,
                 "https://localhost:%d/api/v10", port);
        snprintf(fc->gw_url, sizeof fc->gw_url, "wss://localhost:%d", port);
        snprintf(fc->resume_url, sizeof fc->resume_url,
                 "wss://localhost:%d/resume", port);
    } else {
        snprintf(fc->api_url, sizeof fc->api_url, "http://127.0.0.1:%d/api/v10",
                 port);
        snprintf(fc->gw_url, sizeof fc->gw_url, "ws://127.0.0.1:%d", port);
        snprintf(fc->resume_url, sizeof fc->resume_url,
                 "ws://127.0.0.1:%d/resume", port);
    }
    if (fc->o.resume_gateway_url)
        snprintf(fc->resume_url, sizeof fc->resume_url, "%s",
                 fc->o.resume_gateway_url);
    fc->started = 1;
    pthread_cond_broadcast(&fc->cv);
    pthread_mutex_unlock(&fc->mu);

    for (;;) {
        int stop;

        pthread_mutex_lock(&fc->mu);
        stop = fc->stopping;
        pthread_mutex_unlock(&fc->mu);
        if (stop)
            break;
        lws_service(ctx, 0);
    }
    lws_context_destroy(ctx);
    /* Anyone who queued after the last drain gets a failure. */
    pthread_mutex_lock(&fc->mu);
    drain_commands(fc);
    pthread_mutex_unlock(&fc->mu);
    return NULL;
}

fakecord *
fakecord_start(const struct fakecord_opts *o)
{
    struct fakecord *fc = calloc(1, sizeof *fc);
    pthread_mutexattr_t ma;

    if (!fc)
        return NULL;
    if (o)
        fc->o = *o;
    if (fc->o.heartbeat_interval_ms <= 0)
        fc->o.heartbeat_interval_ms = 41250;
    if (fc->o.guilds == 0)
        fc->o.guilds = 1;
    else if (fc->o.guilds < 0)
        fc->o.guilds = 0;
    if (fc->o.guild_members < 0)
        fc->o.guild_members = 0;
    if (fc->o.shards <= 0)
        fc->o.shards = 1;
    if (fc->o.session_start_remaining == 0)
        fc->o.session_start_remaining = 1000;
    else if (fc->o.session_start_remaining < 0)
        fc->o.session_start_remaining = 0;
    if (fc->o.max_concurrency <= 0)
        fc->o.max_concurrency = 1;
    if (fc->o.send_limit <= 0)
        fc->o.send_limit = 120;
    if (fc->o.send_window_ms <= 0)
        fc->o.send_window_ms = 60000;
    if (fc->o.replay_buffer <= 0)
        fc->o.replay_buffer = 4096;
    fc->token = strdup(fc->o.token ? fc->o.token : FAKECORD_TOKEN);
    fc->member_req_ms = calloc((size_t)fc->o.guilds + 1, sizeof(int64_t));
    fc->o.token = NULL;
    fc->remaining = fc->o.session_start_remaining;
    if (fc->o.session_start_reset_ms <= 0)
        fc->o.session_start_reset_ms = 14400000;
    fc->limit_reset_ms = fc_now_ms() + fc->o.session_start_reset_ms;
    fc->acks_on = 1;
    fc->st.last_heartbeat_seq = -1;
    fc->t0_ms = fc_now_ms();
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&fc->mu, &ma);
    pthread_mutexattr_destroy(&ma);
    pthread_cond_init(&fc->cv, NULL);
    if (!fc->token || !fc->member_req_ms || fc_rest_init(fc) < 0 ||
        pthread_create(&fc->thr, NULL, fc_thread, fc)) {
        fc_rest_cleanup(fc);
        free(fc->member_req_ms);
        free(fc->token);
        free(fc);
        return NULL;
    }
    pthread_mutex_lock(&fc->mu);
    while (!fc->started)
        pthread_cond_wait(&fc->cv, &fc->mu);
    pthread_mutex_unlock(&fc->mu);
    if (fc->started < 0) {
        pthread_join(fc->thr, NULL);
        fc_rest_cleanup(fc);
        free(fc->member_req_ms);
        free(fc->token);
        free(fc);
        return NULL;
    }
    return fc;
}

void
fakecord_stop(fakecord *fc)
{
    if (!fc)
        return;
    /* Wake the loop while holding mu: the loop reads `stopping` under mu
     * before destroying the context, so the context is still alive here. */
    pthread_mutex_lock(&fc->mu);
    fc->stopping = 1;
    lws_cancel_service(fc->ctx);
    pthread_mutex_unlock(&fc->mu);
    pthread_join(fc->thr, NULL);
    fc_endpoint_cleanup(fc);
    fc_sessions_free(fc);
    fc_rest_cleanup(fc);
    cJSON_Delete(fc->last_identify);
    cJSON_Delete(fc->last_presence);
    cJSON_Delete(fc->last_resume);
    free(fc->viol);
    free(fc->member_req_ms);
    free(fc->token);
    pthread_cond_destroy(&fc->cv);
    pthread_mutex_destroy(&fc->mu);
    free(fc);
}

int
fakecord_port(const fakecord *fc)
{
    return fc ? fc->port : -1;
}

const char *
fakecord_api_url(const fakecord *fc)
{
    return fc ? fc->api_url : NULL;
}

const char *
fakecord_gateway_url(const fakecord *fc)
{
    return fc ? fc->gw_url : NULL;
}

/* ---- scripting ----------------------------------------------------------- */

static int
submit(fakecord *fc, int kind, int shard, int a, const char *s1, const char *s2,
       size_t len)
{
    struct fc_cmd k = { NULL, kind, shard, a, s1, s2, len, 0, 0 };
    int64_t r = cmd_submit(fc, &k);

    return r < 0 ? -1 : (int)r;
}

int
fakecord_push_event_shard(fakecord *fc, int shard, const char *t,
                          const char *d_json)
{
    return submit(fc, CMD_PUSH, shard, 0, t, d_json, 0);
}

int
fakecord_push_event(fakecord *fc, const char *t, const char *d_json)
{
    return fakecord_push_event_shard(fc, 0, t, d_json);
}

int
fakecord_push_event_garbled(fakecord *fc, const char *t, const char *d_json)
{
    return submit(fc, CMD_PUSH_GARBLED, 0, 0, t, d_json, 0);
}

int
fakecord_revoke_intents(fakecord *fc, uint64_t bits)
{
    if (bits == 0 || bits > INT32_MAX) /* intents live below bit 31 */
        return -1;
    return submit(fc, CMD_REVOKE, 0, (int)bits, NULL, NULL, 0);
}

int
fakecord_send_reconnect_shard(fakecord *fc, int shard)
{
    return submit(fc, CMD_RECONNECT, shard, 0, NULL, NULL, 0);
}

int
fakecord_send_reconnect(fakecord *fc)
{
    return fakecord_send_reconnect_shard(fc, 0);
}

int
fakecord_send_invalid_session_shard(fakecord *fc, int shard, int resumable)
{
    return submit(fc, CMD_INVALID, shard, resumable != 0, NULL, NULL, 0);
}

int
fakecord_send_invalid_session(fakecord *fc, int resumable)
{
    return fakecord_send_invalid_session_shard(fc, 0, resumable);
}

int
fakecord_send_heartbeat_request(fakecord *fc)
{
    return submit(fc, CMD_HBREQ, 0, 0, NULL, NULL, 0);
}

int
fakecord_close_shard(fakecord *fc, int shard, int code)
{
    return submit(fc, CMD_CLOSE, shard, code, NULL, NULL, 0);
}

int
fakecord_close(fakecord *fc, int code)
{
    return fakecord_close_shard(fc, 0, code);
}

int
fakecord_drop_shard(fakecord *fc, int shard)
{
    return submit(fc, CMD_DROP, shard, 0, NULL, NULL, 0);
}

int
fakecord_drop(fakecord *fc)
{
    return fakecord_drop_shard(fc, 0);
}

int
fakecord_hold_hello(fakecord *fc, int hold)
{
    return submit(fc, CMD_HOLD_HELLO, 0, hold != 0, NULL, NULL, 0);
}

int
fakecord_send_raw(fakecord *fc, const char *text, size_t len)
{
    if (!text)
        return -1;
    return submit(fc, CMD_RAW, 0, 0, text, NULL, len);
}

int
fakecord_send_wire(fakecord *fc, const void *bytes, size_t len)
{
    if (!bytes || !len)
        return -1;
    return submit(fc, CMD_WIRE, 0, 0, bytes, NULL, len);
}

int
fakecord_send_batch(fakecord *fc, const char *t, const char *d_json, int n)
{
    return submit(fc, CMD_BATCH, 0, n, t, d_json, 0);
}

uint64_t
fakecord_push_interaction(fakecord *fc, const char *json)
{
    struct fc_cmd k = { NULL, CMD_PUSH_IX, 0, 0, json, NULL, 0, 0, 0 };
    int64_t r;

    if (!json)
        return 0;
    r = cmd_submit(fc, &k);
    return r <= 0 ? 0 : (uint64_t)r;
}

void
fakecord_set_heartbeat_ack(fakecord *fc, int on)
{
    pthread_mutex_lock(&fc->mu);
    fc->acks_on = on != 0;
    pthread_mutex_unlock(&fc->mu);
}

void
fakecord_set_split(fakecord *fc, int parts, int as_fragments)
{
    pthread_mutex_lock(&fc->mu);
    fc->split_parts = parts;
    fc->split_frag = as_fragments != 0;
    pthread_mutex_unlock(&fc->mu);
}

/* ---- queries ------------------------------------------------------------- */

void
fakecord_stats(fakecord *fc, struct fakecord_stats *out)
{
    pthread_mutex_lock(&fc->mu);
    *out = fc->st;
    pthread_mutex_unlock(&fc->mu);
}

int
fakecord_heartbeat_times(fakecord *fc, int64_t *ms_since_hello, int max)
{
    int n;

    pthread_mutex_lock(&fc->mu);
    n = fc->nhb;
    for (int i = 0; i < n && i < max; i++)
        ms_since_hello[i] = fc->hb_times[i];
    pthread_mutex_unlock(&fc->mu);
    return n;
}

char *
fakecord_violations(fakecord *fc)
{
    char *s;

    pthread_mutex_lock(&fc->mu);
    s = strdup(fc->viol ? fc->viol : "");
    pthread_mutex_unlock(&fc->mu);
    return s;
}

/* A copy of *j taken under the fake's mutex, or NULL. */
static cJSON *
copy_locked(fakecord *fc, cJSON *const *j)
{
    cJSON *copy;

    pthread_mutex_lock(&fc->mu);
    copy = *j ? cJSON_Duplicate(*j, 1) : NULL;
    pthread_mutex_unlock(&fc->mu);
    return copy;
}

cJSON *
fakecord_last_identify(fakecord *fc)
{
    return copy_locked(fc, &fc->last_identify);
}

cJSON *
fakecord_last_presence(fakecord *fc)
{
    return copy_locked(fc, &fc->last_presence);
}

cJSON *
fakecord_last_resume(fakecord *fc)
{
    return copy_locked(fc, &fc->last_resume);
}

int
fc_session_limit(struct fakecord *fc, int *total, int64_t *reset_after_ms)
{
    int64_t now = fc_now_ms();
    int t = fc->o.session_start_remaining > 1000 ? fc->o.session_start_remaining
                                                 : 1000;

    /* Discord refills the whole budget when the window ends. */
    while (now >= fc->limit_reset_ms) {
        fc->remaining = t;
        fc->limit_reset_ms += fc->o.session_start_reset_ms;
    }
    if (total)
        *total = t;
    if (reset_after_ms)
        *reset_after_ms = fc->limit_reset_ms - now;
    return fc->remaining;
}
