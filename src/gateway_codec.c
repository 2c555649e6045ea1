/*
 * gateway_codec.c: gateway payloads <-> structs, plus the gateway client's
 * pure policies (close codes, backoff, send rate).
 *
 * DESIGN. Nothing here touches a socket or a clock, so the fuzzer and the
 * unit tests drive it directly and the gateway module stays a thin lws
 * callback. Parsing is strict about the envelope and lenient about the rest:
 * a frame without an integer "op" (or a dispatch without a name) is a
 * protocol error the caller logs and skips (protocol §5 item 19), but "s"
 * and "t" on non-dispatch messages are ignored, because the sequence number
 * must only ever come from op 0 (§5 item 5). Builders go through cJSON so
 * the token and session id are escaped correctly whatever they contain.
 */
#include "gateway_codec.h"

#include "json_arena.h"
#include "log.h"

#include <dbot/dbot.h>

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EXACT_DOUBLE 9007199254740992.0 /* 2^53 */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    DBOT_PRINTF(3, 4);

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!err || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

int
dbot__gw_parse(const char *text, size_t len, struct dbot__gw_msg *msg,
               char *err, size_t errlen)
{
    return dbot__gw_parse_in(NULL, text, len, msg, err, errlen);
}

void
dbot__gw_msg_release(struct dbot__gw_msg *msg)
{
    if (msg->arena)
        dbot__jarena_rewind(msg->arena, &msg->mark, msg->root);
    else
        cJSON_Delete(msg->root);
    memset(msg, 0, sizeof *msg);
    msg->s = -1;
}

int
dbot__gw_parse_in(struct dbot__jarena *arena, const char *text, size_t len,
                  struct dbot__gw_msg *msg, char *err, size_t errlen)
{
    const char *end = NULL;
    const cJSON *op, *s, *t;
    struct dbot__jarena_mark mark;
    cJSON *root;

    memset(msg, 0, sizeof *msg);
    msg->s = -1;
    if (arena)
        dbot__jarena_mark(arena, &mark);
    if (!text || len == 0) {
        set_err(err, errlen, "empty message");
        return DBOT_EJSON;
    }
    root = arena ? dbot__jarena_parse(arena, text, len, &end)
                 : cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root && arena && dbot__jarena_overflowed(arena)) {
        set_err(err, errlen, "parse tree of %zu bytes of JSON over its bound",
                len);
        return DBOT_ETOOBIG;
    }
    if (!root) {
        size_t off = end && end >= text ? (size_t)(end - text) : 0;
        set_err(err, errlen, "invalid JSON near byte %zu of %zu", off, len);
        return DBOT_EJSON;
    }
    for (; end && (size_t)(end - text) < len; end++) {
        if (!isspace((unsigned char)*end) && *end != '\0') {
            set_err(err, errlen, "trailing data after JSON at byte %zu",
                    (size_t)(end - text));
            goto fail;
        }
    }
    if (!cJSON_IsObject(root)) {
        set_err(err, errlen, "not a JSON object");
        goto fail;
    }
    op = cJSON_GetObjectItemCaseSensitive(root, "op");
    if (!cJSON_IsNumber(op) || op->valuedouble != floor(op->valuedouble) ||
        op->valuedouble < 0 || op->valuedouble > 65535) {
        set_err(err, errlen,
                op ? "\"op\" is not a small integer" : "no \"op\"");
        goto fail;
    }
    msg->op = (int)op->valuedouble;
    msg->d = cJSON_GetObjectItemCaseSensitive(root, "d");
    if (msg->op == DBOT__OP_DISPATCH) {
        s = cJSON_GetObjectItemCaseSensitive(root, "s");
        if (cJSON_IsNumber(s)) {
            if (s->valuedouble != floor(s->valuedouble) || s->valuedouble < 0 ||
                s->valuedouble > MAX_EXACT_DOUBLE) {
                set_err(err, errlen, "dispatch \"s\" is not a sequence number");
                goto fail;
            }
            msg->s = (int64_t)s->valuedouble;
        } else if (s && !cJSON_IsNull(s)) {
            set_err(err, errlen, "dispatch \"s\" is not a number");
            goto fail;
        }
        t = cJSON_GetObjectItemCaseSensitive(root, "t");
        if (!cJSON_IsString(t) || !t->valuestring || !t->valuestring[0]) {
            set_err(err, errlen, "dispatch without an event name \"t\"");
            goto fail;
        }
        msg->t = t->valuestring;
    }
    msg->root = root;
    msg->arena = arena;
    if (arena)
        msg->mark = mark;
    return 0;
fail:
    if (arena)
        dbot__jarena_rewind(arena, &mark, root);
    else
        cJSON_Delete(root);
    memset(msg, 0, sizeof *msg);
    msg->s = -1;
    return DBOT_EJSON;
}

/* ---- builders --------------------------------------------------------- */

char *
dbot__gw_heartbeat(int64_t seq)
{
    char buf[64];

    if (seq < 0)
        snprintf(buf, sizeof buf, "{\"op\":1,\"d\":null}");
    else
        snprintf(buf, sizeof buf, "{\"op\":1,\"d\":%" PRId64 "}", seq);
    return strdup(buf);
}

/* cJSON prints large integers through "%1.15g"; write them ourselves so a
 * sequence number or intent set is always exact. */
static cJSON *
add_int(cJSON *obj, const char *key, int64_t v)
{
    char buf[32];
    cJSON *raw;

    snprintf(buf, sizeof buf, "%" PRId64, v);
    raw = cJSON_CreateRaw(buf);
    if (raw && !cJSON_AddItemToObject(obj, key, raw)) {
        cJSON_Delete(raw);
        return NULL;
    }
    return raw;
}

static char *
wrap_op(int op, cJSON *d)
{
    cJSON *root = cJSON_CreateObject();
    char *out = NULL;

    if (!root || !d || !add_int(root, "op", op)) {
        cJSON_Delete(d);
        goto out;
    }
    if (!cJSON_AddItemToObject(root, "d", d)) {
        cJSON_Delete(d);
        goto out;
    }
    out = cJSON_PrintUnformatted(root);
out:
    cJSON_Delete(root);
    return out;
}

char *
dbot__gw_command(int op, const cJSON *d)
{
    return wrap_op(op, cJSON_Duplicate(d, 1));
}

char *
dbot__gw_identify(const struct dbot__identify *id)
{
    cJSON *d = cJSON_CreateObject();
    cJSON *props, *shard;

    if (!d)
        return NULL;
    if (!cJSON_AddStringToObject(d, "token", id->token ? id->token : ""))
        goto fail;
    props = cJSON_AddObjectToObject(d, "properties");
    if (!props || !cJSON_AddStringToObject(props, "os", "linux") ||
        !cJSON_AddStringToObject(props, "browser", "dbot") ||
        !cJSON_AddStringToObject(props, "device", "dbot"))
        goto fail;
    if (!add_int(d, "intents", (int64_t)id->intents))
        goto fail;
    if (id->shard_count > 0) {
        shard = cJSON_AddArrayToObject(d, "shard");
        if (!shard)
            goto fail;
        int pair[2] = { id->shard_id, id->shard_count };
        for (int i = 0; i < 2; i++) {
            cJSON *n = cJSON_CreateNumber(pair[i]);
            if (!n || !cJSON_AddItemToArray(shard, n)) {
                cJSON_Delete(n);
                goto fail;
            }
        }
    }
    if (id->large_threshold > 0 &&
        !add_int(d, "large_threshold", id->large_threshold))
        goto fail;
    if (id->presence_left_out)
        *id->presence_left_out = 0;
    if (id->presence_json) {
        cJSON *pr = cJSON_Parse(id->presence_json);
        if (cJSON_IsObject(pr)) {
            if (!cJSON_AddItemToObject(d, "presence", pr)) {
                cJSON_Delete(pr);
                goto fail;
            }
        } else {
            /* Identify must still go out; a bad presence only costs the
             * status line, so say so instead of failing the connection. */
            cJSON_Delete(pr);
            LOG_W("gateway", "presence is not a JSON object; identifying "
                             "without it");
            if (id->presence_left_out)
                *id->presence_left_out = 1;
        }
    }
    return wrap_op(DBOT__OP_IDENTIFY, d);
fail:
    cJSON_Delete(d);
    return NULL;
}

char *
dbot__gw_resume(const char *token, const char *session_id, int64_t seq)
{
    cJSON *d;

    /* Resuming without a session or sequence is a caller bug that Discord
     * answers with op 9 at best (§5 item 5): refuse to build it. */
    if (!token || !session_id || seq < 0)
        return NULL;
    d = cJSON_CreateObject();
    if (!d)
        return NULL;
    if (!cJSON_AddStringToObject(d, "token", token) ||
        !cJSON_AddStringToObject(d, "session_id", session_id) ||
        !add_int(d, "seq", seq)) {
        cJSON_Delete(d);
        return NULL;
    }
    return wrap_op(DBOT__OP_RESUME, d);
}

/* ---- close codes ------------------------------------------------------ */

static const struct close_info {
    int code;
    enum dbot__close_action action;
    const char *name;
    const char *advice;
} close_table[] = {
    { 4000, DBOT__CLOSE_RESUME, "unknown error", NULL },
    { 4001, DBOT__CLOSE_RESUME, "unknown opcode", NULL },
    { 4002, DBOT__CLOSE_RESUME, "decode error", NULL },
    { 4003, DBOT__CLOSE_RESUME, "not authenticated", NULL },
    { 4004, DBOT__CLOSE_FATAL, "authentication failed",
      "4004 authentication failed: the bot token is wrong or was reset; copy "
      "the current token from the Developer Portal (Bot > Reset Token) into "
      "\"token\", \"token_file\" or DISCORD_TOKEN" },
    { 4005, DBOT__CLOSE_RESUME, "already authenticated", NULL },
    { 4007, DBOT__CLOSE_IDENTIFY, "invalid seq", NULL },
    { 4008, DBOT__CLOSE_RESUME, "rate limited", NULL },
    { 4009, DBOT__CLOSE_IDENTIFY, "session timed out", NULL },
    { 4010, DBOT__CLOSE_FATAL, "invalid shard",
      "4010 invalid shard: the shard id or shard count sent is not valid for "
      "this bot; set \"shards\" to 0 (Discord's recommendation) or to the "
      "count Discord assigned" },
    { 4011, DBOT__CLOSE_FATAL, "sharding required",
      "4011 sharding required: the bot is in too many guilds for one "
      "connection; set \"shards\" to 0 (Discord's recommendation) or a larger "
      "count" },
    { 4012, DBOT__CLOSE_FATAL, "invalid API version",
      "4012 invalid API version: the gateway refused the protocol version; "
      "use an api_url ending in /api/v10 and no custom version in "
      "gateway_url" },
    { 4013, DBOT__CLOSE_FATAL, "invalid intents",
      "4013 invalid intents: \"intents\" contains bits Discord does not "
      "accept; list intents by name (see the config docs)" },
    { 4014, DBOT__CLOSE_FATAL, "disallowed intents",
      "4014 disallowed intents: a privileged intent (GUILD_MEMBERS, "
      "GUILD_PRESENCES or MESSAGE_CONTENT) is not enabled for this "
      "application; enable it in the Developer Portal (Bot > Privileged "
      "Gateway Intents) or remove it from \"intents\"" },
};
#define N_CLOSE (sizeof close_table / sizeof close_table[0])

static const struct close_info *
close_find(int code)
{
    for (size_t i = 0; i < N_CLOSE; i++)
        if (close_table[i].code == code)
            return &close_table[i];
    return NULL;
}

enum dbot__close_action
dbot__gw_close_action(int code)
{
    const struct close_info *ci = close_find(code);

    /* Unknown codes, 1000/1001 from the server and dropped connections all
     * try a resume first; a failed resume falls back to Identify (§1.8). */
    return ci ? ci->action : DBOT__CLOSE_RESUME;
}

const char *
dbot__gw_close_advice(int code)
{
    const struct close_info *ci = close_find(code);

    return ci ? ci->advice : NULL;
}

const char *
dbot__gw_close_name(int code)
{
    const struct close_info *ci = close_find(code);

    if (ci)
        return ci->name;
    switch (code) {
    case 1000:
        return "normal closure";
    case 1001:
        return "going away";
    case 1006:
        return "connection lost";
    case 1011:
        return "server error";
    default:
        return "unknown close code";
    }
}

int
dbot__gw_close_errno(int code)
{
    switch (code) {
    case 4004:
        return DBOT_EAUTH;
    case 4013:
    case 4014:
        return DBOT_EINTENTS;
    default:
        return DBOT_EFATAL;
    }
}

/* ---- backoff ---------------------------------------------------------- */

int64_t
dbot__backoff_ms(int attempt, int64_t min_ms, int64_t max_ms, double rnd)
{
    int64_t cap;

    if (min_ms < 1)
        min_ms = 1;
    if (max_ms < min_ms)
        max_ms = min_ms;
    if (!(rnd >= 0.0)) /* also catches NaN */
        rnd = 0.0;
    if (rnd >= 1.0)
        rnd = 0.999999;
    cap = min_ms;
    /* Double without shifting, so a large attempt cannot overflow. */
    for (int i = 0; i < attempt && cap < max_ms; i++)
        cap = cap > max_ms / 2 ? max_ms : cap * 2;
    if (cap > max_ms)
        cap = max_ms;
    return cap / 2 + (int64_t)(rnd * (double)(cap - cap / 2));
}

/* ---- send-rate limiter ------------------------------------------------ */

#define SL_CAP                                          \
    ((int)(sizeof((struct dbot__sendlimit *)0)->times / \
           sizeof((struct dbot__sendlimit *)0)->times[0]))

void
dbot__sendlimit_init(struct dbot__sendlimit *sl, int limit, int reserve,
                     int64_t window_ms)
{
    memset(sl, 0, sizeof *sl);
    if (limit < 1)
        limit = 1;
    if (limit > SL_CAP)
        limit = SL_CAP;
    if (reserve < 0)
        reserve = 0;
    if (reserve >= limit)
        reserve = limit - 1;
    if (window_ms < 1)
        window_ms = 1;
    sl->limit = limit;
    sl->reserve = reserve;
    sl->window_ms = window_ms;
}

/* The i-th oldest remembered send (0 = oldest). */
static int64_t
sl_at(const struct dbot__sendlimit *sl, int i)
{
    return sl->times[(sl->head + i) % sl->limit];
}

int64_t
dbot__sendlimit_wait(const struct dbot__sendlimit *sl, int64_t now,
                     int is_heartbeat)
{
    int allowed = is_heartbeat ? sl->limit : sl->limit - sl->reserve;
    int first = 0;
    int in_window;

    if (sl->limit < 1)
        return 0; /* not initialised: no limit to enforce */

    /* Sends at t count until t + window; the ring is in time order. */
    while (first < sl->count && now - sl_at(sl, first) >= sl->window_ms)
        first++;
    in_window = sl->count - first;
    if (in_window < allowed)
        return 0;
    /* Wait until enough of the oldest in-window sends expire to leave
     * allowed - 1 in the window. */
    int64_t t = sl_at(sl, first + (in_window - allowed));
    int64_t w = t + sl->window_ms - now;
    return w > 0 ? w : 1;
}

void
dbot__sendlimit_record(struct dbot__sendlimit *sl, int64_t now)
{
    if (sl->limit < 1)
        return;
    if (sl->count < sl->limit) {
        sl->times[(sl->head + sl->count) % sl->limit] = now;
        sl->count++;
    } else {
        sl->times[sl->head] = now;
        sl->head = (sl->head + 1) % sl->limit;
    }
}
