/*
 * fake_gateway.c: the fake's websocket gateway.
 *
 * DESIGN. One fc_conn per websocket. Writes are queued (fc_out) and go out
 * one per SERVER_WRITEABLE, with LWS_PRE headroom; closes and drops are
 * queue entries too, so "send X then close" keeps its order. Sessions
 * (fc_session) outlive connections: every dispatch is stored in the
 * session's ring before it is sent, so Resume can replay what the client
 * missed whatever the reason. With zlib-stream each connection owns one
 * deflate stream and every message ends with a Z_SYNC_FLUSH (00 00 ff ff),
 * as Discord's does. With zstd-stream each connection owns one zstd
 * context, every gateway message is flushed (never ending the frame) and
 * travels as exactly one websocket message (discord-protocol.md §1.3).
 * Client mistakes get Discord's close code and a violation line.
 */
#include "fake_gateway.h"
#include "fake_guilds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define GW_MAX_PAYLOAD 4096
#define GW_RX_CAP      (64 * 1024)

/* Intent bits Discord documents (others -> 4013). */
#define GW_VALID_INTENTS                                               \
    (((1ULL << 17) - 1) | (1ULL << 20) | (1ULL << 21) | (1ULL << 24) | \
     (1ULL << 25))

static int
out_push(struct fc_conn *c, int kind, int flags, int code, const void *data,
         size_t len)
{
    struct fc_out *o = calloc(1, sizeof *o);

    if (!o)
        return -1;
    o->kind = kind;
    o->flags = flags;
    o->code = code;
    o->len = len;
    o->buf = malloc(LWS_PRE + len + 1);
    if (!o->buf) {
        free(o);
        return -1;
    }
    if (len)
        memcpy(o->buf + LWS_PRE, data, len);
    if (c->oq_tail)
        c->oq_tail->next = o;
    else
        c->oq_head = o;
    c->oq_tail = o;
    c->fc->st.frames_unsent++;
    return 0;
}

/* Keep at least 256 bytes free at the end of *out, for a compressor's
 * output; `len` (the input's size) sizes the first allocation. */
static int
room(unsigned char **out, const size_t *out_len, size_t *out_cap, size_t len)
{
    if (*out_cap - *out_len >= 256)
        return 0;
    size_t cap = *out_cap ? *out_cap * 2 : len / 2 + 1024;
    unsigned char *n = realloc(*out, cap);
    if (!n)
        return -1;
    *out = n;
    *out_cap = cap;
    return 0;
}

/* Deflate `len` bytes through the connection's stream, appending to
 * *out (grown as needed). */
static int
deflate_append(struct fc_conn *c, const char *text, size_t len,
               unsigned char **out, size_t *out_len, size_t *out_cap)
{
    c->zs.next_in = (unsigned char *)(uintptr_t)text;
    c->zs.avail_in = (uInt)len;
    do {
        if (room(out, out_len, out_cap, len) < 0)
            return -1;
        c->zs.next_out = *out + *out_len;
        c->zs.avail_out = (uInt)(*out_cap - *out_len);
        if (deflate(&c->zs, Z_SYNC_FLUSH) == Z_STREAM_ERROR)
            return -1;
        *out_len = *out_cap - c->zs.avail_out;
    } while (c->zs.avail_out == 0 || c->zs.avail_in > 0);
    return 0;
}

/* Compress `len` bytes through the connection's zstd context and flush,
 * appending to *out (grown as needed). */
static int
zstd_append(struct fc_conn *c, const char *text, size_t len,
            unsigned char **out, size_t *out_len, size_t *out_cap)
{
    ZSTD_inBuffer in = { text, len, 0 };
    size_t left;

    do {
        if (room(out, out_len, out_cap, len) < 0)
            return -1;
        ZSTD_outBuffer o = { *out, *out_cap, *out_len };
        left = ZSTD_compressStream2(c->zstd, &o, &in, ZSTD_e_flush);
        if (ZSTD_isError(left))
            return -1;
        *out_len = o.pos;
    } while (left != 0 || in.pos < in.size);
    return 0;
}

/* Queue one websocket message, split per fc->split_* settings. */
static int
queue_message(struct fakecord *fc, struct fc_conn *c, const void *data,
              size_t len, int binary)
{
    int type = binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT;
    int parts = fc->split_parts;
    const unsigned char *p = data;
    size_t off = 0;

    if (parts > 1 && !fc->split_frag && (!binary || c->zstd))
        parts = 1; /* text pieces would not be JSON, and with zstd-stream
                      a websocket message is one gateway message:
                      fragments only */
    if (parts > (int)len)
        parts = (int)len;
    if (parts <= 1)
        return out_push(c, FC_OUT_DATA, type, 0, data, len);
    for (int i = 0; i < parts; i++) {
        size_t n = i == parts - 1 ? len - off : len / (size_t)parts;
        int flags = fc->split_frag
                        ? lws_write_ws_flags(type, i == 0, i == parts - 1)
                        : type;
        if (out_push(c, FC_OUT_DATA, flags, 0, p + off, n) < 0)
            return -1;
        off += n;
    }
    return 0;
}

int
fc_gw_send(struct fakecord *fc, struct fc_conn *c, const char *text, size_t len)
{
    int rc;

    if (!c || c->closing)
        return -1;
    if (c->compressed || c->zstd) {
        unsigned char *z = NULL;
        size_t zl = 0, zc = 0;

        rc = c->zstd ? zstd_append(c, text, len, &z, &zl, &zc)
                     : deflate_append(c, text, len, &z, &zl, &zc);
        if (rc == 0)
            rc = queue_message(fc, c, z, zl, 1);
        free(z);
    } else {
        rc = queue_message(fc, c, text, len, 0);
    }
    lws_callback_on_writable(c->wsi);
    return rc;
}

int
fc_gw_send_wire(struct fakecord *fc, struct fc_conn *c, const void *data,
                size_t len)
{
    int rc;

    if (!c || c->closing)
        return -1;
    rc = out_push(c, FC_OUT_DATA, LWS_WRITE_BINARY, 0, data, len);
    lws_callback_on_writable(c->wsi);
    return rc;
}

int
fc_gw_send_batch(struct fakecord *fc, struct fc_conn *c, char *const *texts,
                 int n)
{
    unsigned char *z = NULL;
    size_t zl = 0, zc = 0;
    int rc = 0;

    if (!c || c->closing)
        return -1;
    if (!c->compressed) {
        /* Plain text, or zstd-stream: one websocket message each. */
        for (int i = 0; i < n && rc == 0; i++) {
            if (!c->zstd) {
                rc = out_push(c, FC_OUT_DATA, LWS_WRITE_TEXT, 0, texts[i],
                              strlen(texts[i]));
                continue;
            }
            zl = 0;
            rc = zstd_append(c, texts[i], strlen(texts[i]), &z, &zl, &zc);
            if (rc == 0)
                rc = out_push(c, FC_OUT_DATA, LWS_WRITE_BINARY, 0, z, zl);
        }
        free(z);
    } else {
        for (int i = 0; i < n && rc == 0; i++)
            rc = deflate_append(c, texts[i], strlen(texts[i]), &z, &zl, &zc);
        if (rc == 0)
            rc = queue_message(fc, c, z, zl, 1);
        free(z);
    }
    lws_callback_on_writable(c->wsi);
    return rc;
}

static void
send_str(struct fakecord *fc, struct fc_conn *c, const char *s)
{
    fc_gw_send(fc, c, s, strlen(s));
}

void
fc_gw_close(struct fakecord *fc, struct fc_conn *c, int code, const char *why)
{
    if (!c || c->closing)
        return;
    c->closing = 1;
    out_push(c, FC_OUT_CLOSE, 0, code, why, why ? strlen(why) : 0);
    if (c->sess && (code == 4007 || code == 4009))
        c->sess->alive = 0;
    (void)fc;
    lws_callback_on_writable(c->wsi);
}

void
fc_gw_drop(struct fakecord *fc, struct fc_conn *c)
{
    if (!c || c->closing)
        return;
    (void)fc;
    c->closing = 1;
    out_push(c, FC_OUT_DROP, 0, 0, NULL, 0);
    lws_callback_on_writable(c->wsi);
}

void
fc_gw_revoke_intents(struct fakecord *fc, uint64_t bits)
{
    fc->o.denied_intents |= bits;
    for (struct fc_conn *c = fc->conns; c; c = c->next) {
        if (c->closing || !c->sess || !(c->sess->intents & bits))
            continue;
        c->sess->alive = 0;
        c->sess->revoked = 1;
        fc_gw_close(fc, c, 4003, "Not authenticated.");
    }
}

struct fc_conn *
fc_gw_target(struct fakecord *fc, int shard)
{
    struct fc_conn *c;

    for (c = fc->conns; c; c = c->next)
        if (!c->closing && c->sess && c->sess->shard == shard)
            return c;
    if (shard != 0)
        return NULL;
    for (c = fc->conns; c; c = c->next)
        if (!c->closing && !c->sess)
            return c;
    return NULL;
}

static char *
build_dispatch(const char *t, const char *d_json, int64_t seq)
{
    size_t n = strlen(t) + strlen(d_json) + 64;
    char *s = malloc(n);

    if (s)
        snprintf(s, n, "{\"op\":0,\"d\":%s,\"s\":%lld,\"t\":\"%s\"}", d_json,
                 (long long)seq, t);
    return s;
}

/* Store the dispatch for replay and send it; `garble` sends only its
 * first half, as a frame corrupted on the way would arrive. */
static int64_t
dispatch(struct fakecord *fc, struct fc_session *s, const char *t,
         const char *d_json, int garble)
{
    int64_t seq = ++s->seq;
    char *text = build_dispatch(t, d_json, seq);
    size_t len;

    if (!text)
        return -1;
    len = strlen(text);
    fc_session_store(fc, s, text);
    if (s->conn && !s->conn->closing)
        fc_gw_send(fc, s->conn, text, garble ? len / 2 : len);
    fc->st.last_seq_sent = seq;
    free(text);
    return seq;
}

int64_t
fc_gw_dispatch(struct fakecord *fc, struct fc_session *s, const char *t,
               const char *d_json)
{
    return dispatch(fc, s, t, d_json, 0);
}

int64_t
fc_gw_dispatch_garbled(struct fakecord *fc, struct fc_session *s, const char *t,
                       const char *d_json)
{
    return dispatch(fc, s, t, d_json, 1);
}

void
fc_gw_invalid_session(struct fakecord *fc, struct fc_conn *c, int resumable)
{
    send_str(fc, c,
             resumable ? "{\"t\":null,\"s\":null,\"op\":9,\"d\":true}"
                       : "{\"t\":null,\"s\":null,\"op\":9,\"d\":false}");
    fc->st.invalid_sessions_sent++;
    if (!resumable && c->sess) {
        c->sess->alive = 0;
        c->sess->conn = NULL;
        c->sess = NULL;
        c->state = FC_CONN_NEW; /* may Identify again on this socket */
    }
}

/* ---- client messages ----------------------------------------------------- */

static int
bare_token_ok(struct fakecord *fc, struct fc_conn *c, const cJSON *tok)
{
    if (!cJSON_IsString(tok)) {
        fc_violation(fc, "no token (4004)");
        fc_gw_close(fc, c, 4004, "Authentication failed.");
        return 0;
    }
    if (!strncmp(tok->valuestring, "Bot ", 4)) {
        fc_violation(fc, "token with Bot prefix");
        fc_gw_close(fc, c, 4004, "Authentication failed.");
        return 0;
    }
    if (strcmp(tok->valuestring, fc->token)) {
        fc_violation(fc, "bad token (4004)");
        fc_gw_close(fc, c, 4004, "Authentication failed.");
        return 0;
    }
    return 1;
}

static void
on_identify(struct fakecord *fc, struct fc_conn *c, const cJSON *d)
{
    const cJSON *sh, *in, *pr;
    int shard = 0, num = 1, sent_shard = 0;
    uint64_t intents;
    struct fc_session *s;
    char *text;

    fc->st.identifies++;
    cJSON_Delete(fc->last_identify);
    fc->last_identify = cJSON_Duplicate(d, 1);
    if (c->state != FC_CONN_NEW) {
        fc_violation(fc, "second identify (4005)");
        fc_gw_close(fc, c, 4005, "Already authenticated.");
        return;
    }
    if (!cJSON_IsObject(d)) {
        fc_violation(fc, "identify without d object (4002)");
        fc_gw_close(fc, c, 4002, "Error while decoding payload.");
        return;
    }
    if (!bare_token_ok(fc, c, cJSON_GetObjectItemCaseSensitive(d, "token")))
        return;
    sh = cJSON_GetObjectItemCaseSensitive(d, "shard");
    if (sh && !cJSON_IsNull(sh)) {
        const cJSON *a = cJSON_GetArrayItem(sh, 0);
        const cJSON *b = cJSON_GetArrayItem(sh, 1);

        if (!cJSON_IsArray(sh) || cJSON_GetArraySize(sh) != 2 ||
            !cJSON_IsNumber(a) || !cJSON_IsNumber(b) || a->valuedouble < 0 ||
            b->valuedouble < 1 || a->valuedouble >= b->valuedouble) {
            fc_violation(fc, "invalid shard (4010)");
            fc_gw_close(fc, c, 4010, "Invalid shard.");
            return;
        }
        shard = a->valueint;
        num = b->valueint;
        sent_shard = 1;
    }
    in = cJSON_GetObjectItemCaseSensitive(d, "intents");
    if (!cJSON_IsNumber(in) || in->valuedouble < 0 ||
        in->valuedouble > 9007199254740991.0 ||
        in->valuedouble != (double)(uint64_t)in->valuedouble) {
        fc_violation(fc, "identify without integer intents (4013)");
        fc_gw_close(fc, c, 4013, "Invalid intent(s).");
        return;
    }
    intents = (uint64_t)in->valuedouble;
    if (intents & ~GW_VALID_INTENTS) {
        fc_violation(fc, "invalid intents (4013)");
        fc_gw_close(fc, c, 4013, "Invalid intent(s).");
        return;
    }
    if (intents & fc->o.denied_intents) {
        fc_violation(fc, "disallowed intents (4014)");
        fc_gw_close(fc, c, 4014, "Disallowed intent(s).");
        return;
    }
    pr = cJSON_GetObjectItemCaseSensitive(d, "properties");
    if (!cJSON_IsObject(pr) ||
        !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(pr, "os")) ||
        !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(pr, "browser")) ||
        !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(pr, "device"))) {
        fc_violation(fc, "identify without properties (4001)");
        fc_gw_close(fc, c, 4001, "Invalid payload.");
        return;
    }
    if (c->on_resume_path)
        fc_violation(fc, "identify on resume_gateway_url");
    if (cJSON_GetObjectItemCaseSensitive(d, "presence")) {
        const char *why = fc_presence_problem(
            cJSON_GetObjectItemCaseSensitive(d, "presence"));

        if (why)
            fc_violation(fc, "identify: %s", why);
    }
    if (fc_session_limit(fc, NULL, NULL) <= 0) {
        fc_violation(fc, "identify with session_start_limit exhausted");
        fc_gw_invalid_session(fc, c, 0);
        return;
    }
    if (fc->o.enforce_identify_rate) {
        int key = shard % fc->o.max_concurrency % 64;
        int64_t now = fc_now_ms();

        if (fc->ident_ms[key] && now - fc->ident_ms[key] < 5000) {
            fc_violation(fc, "identify concurrency exceeded");
            fc_gw_invalid_session(fc, c, 0);
            return;
        }
        fc->ident_ms[key] = now;
    }
    fc->remaining--;
    s = fc_session_new(fc, shard, num);
    if (!s) {
        fc_gw_close(fc, c, 4000, "Unknown error.");
        return;
    }
    s->intents = intents;
    c->state = FC_CONN_IDENTIFIED;
    c->sess = s;
    s->conn = c;
    text = fc_guilds_ready(fc, s, sent_shard);
    if (text && fc_gw_dispatch(fc, s, "READY", text) > 0)
        fc->st.ready_sent++;
    free(text);
    for (int k = 0; k < fc->o.guilds; k++) {
        if (!fc_guild_on_shard(k, shard, num))
            continue;
        text = fc_guilds_create(fc, k);
        if (text)
            fc_gw_dispatch(fc, s, "GUILD_CREATE", text);
        free(text);
    }
}

static void
on_resume(struct fakecord *fc, struct fc_conn *c, const cJSON *d)
{
    const cJSON *sid, *seq;
    struct fc_session *s;
    int64_t from;

    fc->st.resumes++;
    if (c->on_resume_path)
        fc->st.resumes_on_resume_url++;
    cJSON_Delete(fc->last_resume);
    fc->last_resume = cJSON_Duplicate(d, 1);
    if (c->state != FC_CONN_NEW) {
        fc_violation(fc, "resume on an authenticated connection (4005)");
        fc_gw_close(fc, c, 4005, "Already authenticated.");
        return;
    }
    if (!cJSON_IsObject(d)) {
        fc_violation(fc, "resume without d object (4002)");
        fc_gw_close(fc, c, 4002, "Error while decoding payload.");
        return;
    }
    if (!bare_token_ok(fc, c, cJSON_GetObjectItemCaseSensitive(d, "token")))
        return;
    if (!c->on_resume_path)
        fc_violation(fc, "resume not on resume_gateway_url");
    sid = cJSON_GetObjectItemCaseSensitive(d, "session_id");
    s = cJSON_IsString(sid) ? fc_session_find(fc, sid->valuestring) : NULL;
    if (s && s->revoked) {
        fc_gw_invalid_session(fc, c, 0); /* the client could not know */
        return;
    }
    if (!s || !s->alive) {
        fc_violation(fc, "resume of unknown session");
        fc_gw_invalid_session(fc, c, 0);
        return;
    }
    seq = cJSON_GetObjectItemCaseSensitive(d, "seq");
    if (!cJSON_IsNumber(seq) || seq->valuedouble < 0 ||
        (int64_t)seq->valuedouble > s->seq) {
        fc_violation(fc, "resume with bad seq (4007)");
        s->alive = 0;
        fc_gw_close(fc, c, 4007, "Invalid seq.");
        return;
    }
    from = (int64_t)seq->valuedouble;
    if (from + 1 < s->ring_first && from < s->seq) {
        /* Missed dispatches fell out of the replay buffer. */
        fc_gw_invalid_session(fc, c, 0);
        s->alive = 0;
        return;
    }
    if (s->conn && s->conn != c)
        s->conn->sess = NULL; /* the old socket no longer carries it */
    s->conn = c;
    c->sess = s;
    c->state = FC_CONN_RESUMED;
    for (int64_t q = from + 1; q <= s->seq; q++) {
        const char *t = fc_session_get(s, q);

        if (t)
            fc_gw_send(fc, c, t, strlen(t));
    }
    if (fc_gw_dispatch(fc, s, "RESUMED", "{\"_trace\":[\"fakecord\"]}") > 0)
        fc->st.resumed_sent++;
    fc->st.resumes_ok++;
}

/* Runs from the lws timer list, outside fc_callback: take the lock. */
static void
hb_deadline(lws_sorted_usec_list_t *sul)
{
    struct fc_conn *c = lws_container_of(sul, struct fc_conn, hb_sul);
    struct fakecord *fc = c->fc;

    pthread_mutex_lock(&fc->mu);
    if (!c->closing) {
        fc_violation(fc, "heartbeat timeout (4009)");
        fc_gw_close(fc, c, 4009, "Session timed out.");
    }
    pthread_mutex_unlock(&fc->mu);
}

static void
hb_arm(struct fakecord *fc, struct fc_conn *c)
{
    if (fc->o.heartbeat_grace_ms <= 0)
        return;
    lws_sul_schedule(
        fc->ctx, 0, &c->hb_sul, hb_deadline,
        (lws_usec_t)(fc->o.heartbeat_interval_ms + fc->o.heartbeat_grace_ms) *
            1000);
}

static void
on_heartbeat(struct fakecord *fc, struct fc_conn *c, const cJSON *d)
{
    int64_t now = fc_now_ms();

    hb_arm(fc, c);

    fc->st.heartbeats++;
    if (cJSON_IsNull(d) || !d) {
        fc->st.last_heartbeat_seq = -1;
    } else if (cJSON_IsNumber(d)) {
        fc->st.last_heartbeat_seq = (int64_t)d->valuedouble;
        if (c->sess && (int64_t)d->valuedouble > c->sess->seq)
            fc_violation(fc, "heartbeat with seq never sent");
    } else {
        fc_violation(fc, "heartbeat with non-integer d");
    }
    if (c->id == fc->hb_conn && fc->nhb < FC_MAX_HB)
        fc->hb_times[fc->nhb++] = now - c->hello_ms;
    if (fc->acks_on) {
        send_str(fc, c, "{\"t\":null,\"s\":null,\"op\":11,\"d\":null}");
        fc->st.heartbeat_acks_sent++;
    }
}

/* op 8: answer with GUILD_MEMBERS_CHUNKs, or RATE_LIMITED when the full
 * list of one guild is asked again within 30 s (§1.9). */
static void
on_request_members(struct fakecord *fc, struct fc_conn *c, const cJSON *d)
{
    const cJSON *gid = cJSON_GetObjectItemCaseSensitive(d, "guild_id");
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(d, "query");
    const cJSON *lim = cJSON_GetObjectItemCaseSensitive(d, "limit");
    const cJSON *nonce = cJSON_GetObjectItemCaseSensitive(d, "nonce");
    struct fc_session *s = c->sess;
    int64_t now = fc_now_ms();
    char **texts = NULL;
    int k, n, full;

    if (!cJSON_IsString(gid)) {
        fc_violation(fc, "request guild members without one guild_id (4001)");
        fc_gw_close(fc, c, 4001, "Invalid payload.");
        return;
    }
    if (cJSON_IsString(nonce) && strlen(nonce->valuestring) > 32)
        fc_violation(fc, "request guild members nonce over 32 bytes");
    k = fc_guild_index(fc, gid->valuestring);
    if (k < 0 || !s || !fc_guild_on_shard(k, s->shard, s->num_shards))
        return; /* not a guild of this shard: Discord stays silent */
    full = cJSON_IsString(q) && !*q->valuestring &&
           (!cJSON_IsNumber(lim) || lim->valueint == 0) &&
           !cJSON_GetObjectItemCaseSensitive(d, "user_ids");
    if (full && !(s->intents & FAKECORD_INTENT_GUILD_MEMBERS))
        fc_violation(fc, "request all guild members without GUILD_MEMBERS");
    if (full && fc->member_req_ms && fc->member_req_ms[k] &&
        now - fc->member_req_ms[k] < 30000) {
        cJSON *rl = cJSON_CreateObject(), *meta;
        char *text;

        cJSON_AddNumberToObject(rl, "opcode", 8);
        cJSON_AddNumberToObject(
            rl, "retry_after", (30000 - (now - fc->member_req_ms[k])) / 1000.0);
        meta = cJSON_AddObjectToObject(rl, "meta");
        cJSON_AddStringToObject(meta, "guild_id", gid->valuestring);
        if (cJSON_IsString(nonce))
            cJSON_AddStringToObject(meta, "nonce", nonce->valuestring);
        text = cJSON_PrintUnformatted(rl);
        cJSON_Delete(rl);
        if (text)
            fc_gw_dispatch(fc, s, "RATE_LIMITED", text);
        free(text);
        fc_violation(fc, "request all guild members more than once per 30 s");
        return;
    }
    if (full && fc->member_req_ms)
        fc->member_req_ms[k] = now;
    n = fc_guilds_member_chunks(fc, k, d, &texts);
    for (int i = 0; i < n; i++) {
        if (texts[i])
            fc_gw_dispatch(fc, s, "GUILD_MEMBERS_CHUNK", texts[i]);
        free(texts[i]);
    }
    free(texts);
}

static void
on_message(struct fakecord *fc, struct fc_conn *c, const char *msg, size_t len)
{
    const char *end = NULL;
    cJSON *j, *op;
    int64_t now = fc_now_ms();

    if (now - c->win_start_ms >= fc->o.send_window_ms) {
        c->win_start_ms = now;
        c->win_count = 0;
    }
    if (++c->win_count > fc->o.send_limit) {
        fc_violation(fc, "over %d sends per %d ms (4008)", fc->o.send_limit,
                     fc->o.send_window_ms);
        fc_gw_close(fc, c, 4008, "Rate limited.");
        return;
    }
    if (len > GW_MAX_PAYLOAD) {
        fc_violation(fc, "payload > 4096 bytes (4002)");
        fc_gw_close(fc, c, 4002, "Error while decoding payload.");
        return;
    }
    j = cJSON_ParseWithLengthOpts(msg, len, &end, 0);
    op = j ? cJSON_GetObjectItemCaseSensitive(j, "op") : NULL;
    if (!j || !cJSON_IsNumber(op)) {
        fc_violation(fc, "non-JSON payload (4002)");
        fc_gw_close(fc, c, 4002, "Error while decoding payload.");
        cJSON_Delete(j);
        return;
    }
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "d");
    switch (op->valueint) {
    case 1:
        on_heartbeat(fc, c, d);
        break;
    case 2:
        on_identify(fc, c, d);
        break;
    case 6:
        on_resume(fc, c, d);
        break;
    case 3:
    case 4:
    case 8:
    case 31:
    case 43:
        if (c->state == FC_CONN_NEW) {
            fc_violation(fc, "payload before identify (4003)");
            fc_gw_close(fc, c, 4003, "Not authenticated.");
        } else if (op->valueint == 8) {
            on_request_members(fc, c, d);
        } else if (op->valueint == 3) {
            fc_on_presence(fc, c, d);
        }
        break;
    default:
        fc_violation(fc, "unknown opcode %d (4001)", op->valueint);
        fc_gw_close(fc, c, 4001, "Unknown opcode.");
        break;
    }
    cJSON_Delete(j);
}

/* ---- lws glue ------------------------------------------------------------ */

static int
gw_path_ok(struct lws *wsi, int *is_resume)
{
    char uri[256];

    if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) < 0)
        return 0;
    *is_resume = !strcmp(uri, "/resume") || !strcmp(uri, "/resume/");
    return *is_resume || !strcmp(uri, "/") || !strcmp(uri, "/gateway") ||
           !strcmp(uri, "/gateway/");
}

static void
on_established(struct fakecord *fc, struct lws *wsi, struct fc_pss *pss)
{
    struct fc_conn *c = calloc(1, sizeof *c);
    char buf[64];
    const char *v;
    int is_resume = 0;

    if (!c)
        return;
    c->wsi = wsi;
    c->fc = fc;
    c->id = ++fc->next_conn_id;
    gw_path_ok(wsi, &is_resume);
    c->on_resume_path = is_resume;
    c->win_start_ms = fc_now_ms();
    c->next = fc->conns;
    fc->conns = c;
    pss->conn = c;
    fc->st.connections++;
    fc->st.live_connections++;

    v = lws_get_urlarg_by_name(wsi, "compress=", buf, sizeof buf);
    c->compressed = v && !strcmp(v, "zlib-stream");
    fc->st.compressed = c->compressed;
    fc->st.zstd = v && !strcmp(v, "zstd-stream");
    if (c->compressed) {
        if (deflateInit(&c->zs, Z_DEFAULT_COMPRESSION) != Z_OK) {
            fc_gw_drop(fc, c);
            return;
        }
        c->zinit = 1;
    } else if (fc->st.zstd) {
        /* Discord does not document its level; zstd's default. */
        c->zstd = ZSTD_createCCtx();
        if (!c->zstd || ZSTD_isError(ZSTD_CCtx_setParameter(
                            c->zstd, ZSTD_c_compressionLevel, 3))) {
            fc_gw_drop(fc, c);
            return;
        }
    }
    if (v && !c->compressed && !c->zstd) {
        fc_violation(fc, "unsupported compress=%s", v);
    }
    v = lws_get_urlarg_by_name(wsi, "encoding=", buf, sizeof buf);
    if (v && strcmp(v, "json")) {
        fc_violation(fc, "unsupported encoding=%s (4002)", v);
        fc_gw_close(fc, c, 4002, "Error while decoding payload.");
        return;
    }
    v = lws_get_urlarg_by_name(wsi, "v=", buf, sizeof buf);
    if (!v) {
        fc_violation(fc, "gateway url without v=");
    } else if (strcmp(v, "10") && strcmp(v, "9")) {
        fc_violation(fc, "invalid API version v=%s (4012)", v);
        fc_gw_close(fc, c, 4012, "Invalid API version.");
        return;
    }
    if (fc->hold_hello)
        c->hello_held = 1; /* fakecord_hold_hello: sent on release */
    else
        fc_gw_hello(fc, c);
}

void
fc_gw_hello(struct fakecord *fc, struct fc_conn *c)
{
    char hello[128];

    c->hello_held = 0;
    snprintf(hello, sizeof hello,
             "{\"t\":null,\"s\":null,\"op\":10,\"d\":{\"heartbeat_interval\":"
             "%d,\"_trace\":[\"fakecord\"]}}",
             fc->o.heartbeat_interval_ms);
    c->hello_ms = fc_now_ms();
    fc->hb_conn = c->id;
    fc->nhb = 0;
    send_str(fc, c, hello);
    hb_arm(fc, c);
}

static int
on_writeable(struct fakecord *fc, struct lws *wsi, struct fc_conn *c)
{
    struct fc_out *o = c->oq_head;
    int rc = 0;

    if (!o)
        return 0;
    c->oq_head = o->next;
    if (!c->oq_head)
        c->oq_tail = NULL;
    fc->st.frames_unsent--;
    switch (o->kind) {
    case FC_OUT_DATA:
        if (lws_write(wsi, o->buf + LWS_PRE, o->len,
                      (enum lws_write_protocol)o->flags) < (int)o->len)
            rc = -1;
        break;
    case FC_OUT_CLOSE:
        lws_close_reason(wsi, (enum lws_close_status)o->code, o->buf + LWS_PRE,
                         o->len);
        rc = -1;
        break;
    case FC_OUT_DROP:
        /* No close frame: the peer sees the TCP connection end. */
        shutdown(lws_get_socket_fd(wsi), SHUT_RDWR);
        rc = -1;
        break;
    }
    free(o->buf);
    free(o);
    if (rc == 0 && c->oq_head)
        lws_callback_on_writable(wsi);
    return rc;
}

static void
conn_free(struct fakecord *fc, struct fc_conn *c)
{
    struct fc_conn **pp;

    for (pp = &fc->conns; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    if (c->sess) {
        if (c->sess->conn == c)
            c->sess->conn = NULL;
        if (c->client_close_code == 1000 || c->client_close_code == 1001)
            c->sess->alive = 0; /* the client ended the session */
    }
    while (c->oq_head) {
        struct fc_out *o = c->oq_head;
        c->oq_head = o->next;
        fc->st.frames_unsent--;
        free(o->buf);
        free(o);
    }
    lws_sul_cancel(&c->hb_sul);
    if (c->zinit)
        deflateEnd(&c->zs);
    ZSTD_freeCCtx(c->zstd);
    free(c->rx);
    free(c);
    fc->st.live_connections--;
}

int
fc_gw_callback(struct fakecord *fc, struct lws *wsi,
               enum lws_callback_reasons reason, struct fc_pss *pss, void *in,
               size_t len)
{
    struct fc_conn *c = pss ? pss->conn : NULL;
    int is_resume;

    switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return gw_path_ok(wsi, &is_resume) ? 0 : 1;
    case LWS_CALLBACK_ESTABLISHED:
        on_established(fc, wsi, pss);
        return 0;
    case LWS_CALLBACK_RECEIVE:
        if (!c || c->closing)
            return 0;
        if (c->rx_len + len > GW_RX_CAP) {
            fc_violation(fc, "payload > 4096 bytes (4002)");
            fc_gw_close(fc, c, 4002, "Error while decoding payload.");
            return 0;
        }
        if (len) {
            char *n = realloc(c->rx, c->rx_len + len + 1);
            if (!n)
                return -1;
            c->rx = n;
            memcpy(c->rx + c->rx_len, in, len);
            c->rx_len += len;
            c->rx[c->rx_len] = '\0';
        }
        if (lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi)) {
            on_message(fc, c, c->rx ? c->rx : "", c->rx_len);
            c->rx_len = 0;
        }
        return 0;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return c ? on_writeable(fc, wsi, c) : 0;
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        /* Only a close the client started counts; an echo of ours does
         * not end the session. */
        if (c && !c->closing && len >= 2) {
            const unsigned char *p = in;
            c->client_close_code = (p[0] << 8) | p[1];
        }
        return 0;
    case LWS_CALLBACK_CLOSED:
        if (c) {
            fc->st.client_close_code = c->client_close_code;
            if (c->client_close_code == 1000 || c->client_close_code == 1001)
                fc->st.client_closes_1000++;
            conn_free(fc, c);
            pss->conn = NULL;
        }
        return 0;
    default:
        return 0;
    }
}
