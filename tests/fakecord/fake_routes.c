/*
 * fake_routes.c: what each REST route of the fake answers.
 *
 * DESIGN. fc_routes_handle() splits the path (after /api/v10) into
 * segments and picks a handler. Handlers only read the request (h, its
 * record) and set the answer with fc_http_reply*; the intake, limits and
 * writing live in fake_rest.c. Interactions follow §3 of the protocol
 * notes: one callback within 3 s (10062 after, 40060 for a second one),
 * then 15 min of followups and @original edits on the token.
 */
#include "fake_rest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SEGS        8
#define IX_CALLBACK_MS  3000
#define IX_TOKEN_MS     (15 * 60 * 1000)

struct route {
    int n;
    char *seg[MAX_SEGS];
    char buf[1024];
};

static int
split(struct route *r, const char *path)
{
    char *p, *save = NULL;

    snprintf(r->buf, sizeof r->buf, "%s", path);
    r->n = 0;
    for (p = strtok_r(r->buf, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
        if (r->n == MAX_SEGS)
            return -1;
        r->seg[r->n++] = p;
    }
    return 0;
}

static int
is(const struct route *r, int i, const char *lit)
{
    return i < r->n && !strcmp(r->seg[i], lit);
}

static int
authed(struct fakecord *fc, struct fc_http *h)
{
    struct fakecord_request *rec = fc_http_record(fc, h);

    if (rec && !strncmp(rec->authorization, "Bot ", 4) &&
        !strcmp(rec->authorization + 4, fc->token))
        return 1;
    fc_http_error(h, 401, 0, "401: Unauthorized");
    return 0;
}

static const char *
str_of(char *buf, size_t n, uint64_t v)
{
    snprintf(buf, n, "%llu", (unsigned long long)v);
    return buf;
}

/* The JSON payload of a body: plain JSON, or the payload_json part of a
 * multipart/form-data body. NULL if neither parses. */
static cJSON *
body_json(struct fakecord *fc, struct fc_http *h)
{
    struct fakecord_request *rec = fc_http_record(fc, h);
    const char *ct = rec ? rec->content_type : "";
    const char *b, *body = (const char *)h->body;
    char bnd[256];
    size_t bl;

    if (!body || !h->body_len)
        return NULL;
    if (strncmp(ct, "multipart/form-data", 19))
        return cJSON_ParseWithLength(body, h->body_len);
    b = strstr(ct, "boundary=");
    if (!b)
        return NULL;
    b += 9;
    if (*b == '"')
        b++;
    snprintf(bnd, sizeof bnd, "--%.*s", (int)strcspn(b, "\";"), b);
    bl = strlen(bnd);
    for (const char *p = memmem(body, h->body_len, bnd, bl); p;) {
        const char *hend, *next;
        size_t left = h->body_len - (size_t)(p - body);

        hend = memmem(p, left, "\r\n\r\n", 4);
        if (!hend)
            return NULL;
        next = memmem(hend, h->body_len - (size_t)(hend - body), bnd, bl);
        if (!next)
            return NULL;
        if (memmem(p, (size_t)(hend - p), "name=\"payload_json\"", 19)) {
            const char *s = hend + 4;
            size_t n = (size_t)(next - s);

            if (n >= 2 && s[n - 2] == '\r' && s[n - 1] == '\n')
                n -= 2;
            return cJSON_ParseWithLength(s, n);
        }
        p = next;
    }
    return NULL;
}

static void
iso_now(char *buf, size_t n)
{
    struct timespec ts;
    struct tm tm;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%06ld+00:00",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000);
}

static cJSON *
bot_user(void)
{
    cJSON *u = cJSON_CreateObject();

    cJSON_AddStringToObject(u, "id", FAKECORD_APP_ID);
    cJSON_AddStringToObject(u, "username", FAKECORD_BOT_USERNAME);
    cJSON_AddStringToObject(u, "discriminator", "0");
    cJSON_AddNullToObject(u, "global_name");
    cJSON_AddNullToObject(u, "avatar");
    cJSON_AddBoolToObject(u, "bot", 1);
    return u;
}

/* A message object as Discord returns it, from a create/edit body. */
static cJSON *
message_object(uint64_t id, const char *channel_id, const cJSON *body,
               int webhook)
{
    static const char *copy[] = { "content", "embeds", "components", "flags",
                                  "tts", "nonce", "poll", "message_reference" };
    cJSON *m = cJSON_CreateObject();
    char buf[32], ts[64];
    const cJSON *att;

    iso_now(ts, sizeof ts);
    cJSON_AddStringToObject(m, "id", str_of(buf, sizeof buf, id));
    cJSON_AddStringToObject(m, "channel_id", channel_id);
    cJSON_AddItemToObject(m, "author", bot_user());
    cJSON_AddStringToObject(m, "content", "");
    cJSON_AddStringToObject(m, "timestamp", ts);
    cJSON_AddNullToObject(m, "edited_timestamp");
    cJSON_AddBoolToObject(m, "tts", 0);
    cJSON_AddBoolToObject(m, "mention_everyone", 0);
    cJSON_AddArrayToObject(m, "mentions");
    cJSON_AddArrayToObject(m, "mention_roles");
    cJSON_AddArrayToObject(m, "attachments");
    cJSON_AddArrayToObject(m, "embeds");
    cJSON_AddArrayToObject(m, "components");
    cJSON_AddBoolToObject(m, "pinned", 0);
    cJSON_AddNumberToObject(m, "type", 0);
    cJSON_AddNumberToObject(m, "flags", 0);
    if (webhook) {
        cJSON_AddStringToObject(m, "webhook_id", FAKECORD_APP_ID);
        cJSON_AddStringToObject(m, "application_id", FAKECORD_APP_ID);
    }
    for (size_t i = 0; body && i < sizeof copy / sizeof copy[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, copy[i]);
        if (v)
            cJSON_ReplaceItemInObjectCaseSensitive(m, copy[i],
                                                   cJSON_Duplicate(v, 1));
    }
    att = body ? cJSON_GetObjectItemCaseSensitive(body, "attachments") : NULL;
    if (cJSON_IsArray(att)) {
        cJSON *arr = cJSON_CreateArray();
        const cJSON *a;

        cJSON_ArrayForEach(a, att) {
            cJSON *o = cJSON_CreateObject();
            const cJSON *fn = cJSON_GetObjectItemCaseSensitive(a, "filename");

            cJSON_AddStringToObject(o, "id", str_of(buf, sizeof buf, id + 1));
            cJSON_AddStringToObject(o, "filename", cJSON_IsString(fn)
                                                       ? fn->valuestring
                                                       : "file");
            cJSON_AddItemToArray(arr, o);
        }
        cJSON_ReplaceItemInObjectCaseSensitive(m, "attachments", arr);
    }
    return m;
}

static int
message_body_ok(struct fc_http *h, const cJSON *b)
{
    static const char *need[] = { "content", "embeds", "sticker_ids",
                                  "components", "poll", "attachments" };

    if (!cJSON_IsObject(b)) {
        fc_http_error(h, 400, 50109,
                      "The request body contains invalid JSON.");
        return 0;
    }
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, need[i]);
        if (cJSON_IsString(v) ? *v->valuestring != '\0'
                              : (v && cJSON_GetArraySize(v) > 0) ||
                                    cJSON_IsObject(v))
            return 1;
    }
    fc_http_error(h, 400, 50006, "Cannot send an empty message");
    return 0;
}

/* ---- gateway, application, user ----------------------------------------- */

static void
gateway_bot(struct fakecord *fc, struct fc_http *h)
{
    cJSON *j = cJSON_CreateObject(), *l;

    cJSON_AddStringToObject(j, "url", fc->gw_url);
    cJSON_AddNumberToObject(j, "shards", fc->o.shards);
    l = cJSON_AddObjectToObject(j, "session_start_limit");
    cJSON_AddNumberToObject(l, "total", 1000);
    cJSON_AddNumberToObject(l, "remaining", fc->remaining);
    cJSON_AddNumberToObject(l, "reset_after", 14400000);
    cJSON_AddNumberToObject(l, "max_concurrency", fc->o.max_concurrency);
    fc_http_reply_json(h, 200, j);
}

static void
application(struct fc_http *h)
{
    cJSON *j = cJSON_CreateObject();

    cJSON_AddStringToObject(j, "id", FAKECORD_APP_ID);
    cJSON_AddStringToObject(j, "name", FAKECORD_BOT_USERNAME);
    cJSON_AddNullToObject(j, "icon");
    cJSON_AddStringToObject(j, "description", "");
    cJSON_AddBoolToObject(j, "bot_public", 1);
    cJSON_AddBoolToObject(j, "bot_require_code_grant", 0);
    cJSON_AddStringToObject(j, "verify_key",
                            "0000000000000000000000000000000000000000000000000"
                            "000000000000000");
    cJSON_AddNumberToObject(j, "flags", 0);
    cJSON_AddItemToObject(j, "bot", bot_user());
    cJSON_AddItemToObject(j, "owner", bot_user());
    fc_http_reply_json(h, 200, j);
}

/* ---- channels ------------------------------------------------------------ */

static void
create_message(struct fakecord *fc, struct fc_http *h, const char *channel)
{
    cJSON *b = body_json(fc, h), *m;

    if (!message_body_ok(h, b)) {
        cJSON_Delete(b);
        return;
    }
    m = message_object(fc_snowflake(fc), channel, b, 0);
    cJSON_AddItemToArray(fc->messages, cJSON_Duplicate(m, 1));
    cJSON_Delete(b);
    fc_http_reply_json(h, 200, m);
}

/* ---- commands -------------------------------------------------------------- */

static int
command_ok(const cJSON *c)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
    const cJSON *desc = cJSON_GetObjectItemCaseSensitive(c, "description");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(c, "type");
    int t = cJSON_IsNumber(type) ? type->valueint : 1;
    size_t nl = cJSON_IsString(name) ? strlen(name->valuestring) : 0;

    if (nl < 1 || nl > 32)
        return 0;
    if (t == 1 && (!cJSON_IsString(desc) || !*desc->valuestring ||
                   strlen(desc->valuestring) > 100))
        return 0;
    return 1;
}

static void
put_commands(struct fakecord *fc, struct fc_http *h, const char *guild)
{
    cJSON *b = body_json(fc, h), *c, *out;
    char buf[32];

    if (!cJSON_IsArray(b)) {
        cJSON_Delete(b);
        fc_http_error(h, 400, 50035, "Invalid Form Body");
        return;
    }
    cJSON_ArrayForEach(c, b) {
        if (!cJSON_IsObject(c) || !command_ok(c)) {
            cJSON_Delete(b);
            fc_http_error(h, 400, 50035, "Invalid Form Body");
            return;
        }
    }
    cJSON_ArrayForEach(c, b) {
        if (!cJSON_GetObjectItemCaseSensitive(c, "id"))
            cJSON_AddStringToObject(
                c, "id", str_of(buf, sizeof buf, fc_snowflake(fc)));
        if (!cJSON_GetObjectItemCaseSensitive(c, "type"))
            cJSON_AddNumberToObject(c, "type", 1);
        cJSON_DeleteItemFromObjectCaseSensitive(c, "application_id");
        cJSON_AddStringToObject(c, "application_id", FAKECORD_APP_ID);
        cJSON_DeleteItemFromObjectCaseSensitive(c, "version");
        cJSON_AddStringToObject(c, "version",
                                str_of(buf, sizeof buf, fc_snowflake(fc)));
        if (guild) {
            cJSON_DeleteItemFromObjectCaseSensitive(c, "guild_id");
            cJSON_AddStringToObject(c, "guild_id", guild);
        }
    }
    out = cJSON_Duplicate(b, 1);
    cJSON_DeleteItemFromObjectCaseSensitive(fc->commands,
                                            guild ? guild : "global");
    cJSON_AddItemToObject(fc->commands, guild ? guild : "global", b);
    fc_http_reply_json(h, 200, out);
}

static void
get_commands(struct fakecord *fc, struct fc_http *h, const char *guild)
{
    const cJSON *a =
        cJSON_GetObjectItemCaseSensitive(fc->commands, guild ? guild : "global");

    fc_http_reply_json(h, 200,
                       a ? cJSON_Duplicate(a, 1) : cJSON_CreateArray());
}

static void
commands(struct fakecord *fc, struct fc_http *h, const struct route *r)
{
    const char *guild = NULL;
    int base = 3;

    if (!authed(fc, h))
        return;
    if (strcmp(r->seg[1], FAKECORD_APP_ID)) {
        fc_http_error(h, 403, 50001, "Missing Access");
        return;
    }
    if (is(r, 2, "guilds") && r->n >= 5 && is(r, 4, "commands")) {
        guild = r->seg[3];
        base = 5;
    }
    if (r->n != base) {
        fc_http_error(h, 404, 0, "404: Not Found");
        return;
    }
    if (!strcmp(h->method, "PUT"))
        put_commands(fc, h, guild);
    else if (!strcmp(h->method, "GET"))
        get_commands(fc, h, guild);
    else
        fc_http_error(h, 405, 0, "405: Method Not Allowed");
}

/* ---- interactions ---------------------------------------------------------- */

/* callback_ms in µs resolution: acknowledgements take well under 1 ms. */
static int64_t
now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

uint64_t
fc_ix_push(struct fakecord *fc, const char *json)
{
    cJSON *j = cJSON_Parse(json), *gid;
    struct fc_session *s0, *s;
    struct fc_ix *x;
    char buf[32], tok[96];
    char *text;
    int shard = 0;
    uint64_t id;

    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return 0;
    }
    s0 = fc_session_newest(fc, 0);
    gid = cJSON_GetObjectItemCaseSensitive(j, "guild_id");
    if (s0 && cJSON_IsString(gid) && s0->num_shards > 1)
        shard = (int)((strtoull(gid->valuestring, NULL, 10) >> 22) %
                      (uint64_t)s0->num_shards);
    s = fc_session_newest(fc, shard);
    x = calloc(1, sizeof *x);
    if (!s || !x) {
        free(x);
        cJSON_Delete(j);
        return 0;
    }
    id = fc_snowflake(fc);
    snprintf(tok, sizeof tok, "aW50ZXJhY3Rpb246%llx:%llx",
             (unsigned long long)id, (unsigned long long)(id * 2654435761u));
    cJSON_DeleteItemFromObjectCaseSensitive(j, "id");
    cJSON_DeleteItemFromObjectCaseSensitive(j, "token");
    cJSON_AddStringToObject(j, "id", str_of(buf, sizeof buf, id));
    cJSON_AddStringToObject(j, "token", tok);
    if (!cJSON_GetObjectItemCaseSensitive(j, "application_id"))
        cJSON_AddStringToObject(j, "application_id", FAKECORD_APP_ID);
    if (!cJSON_GetObjectItemCaseSensitive(j, "type"))
        cJSON_AddNumberToObject(j, "type", 2);
    if (!cJSON_GetObjectItemCaseSensitive(j, "version"))
        cJSON_AddNumberToObject(j, "version", 1);
    x->id = id;
    x->token = strdup(tok);
    x->created_ms = fc_now_ms();
    x->created_us = now_us();
    x->callback_type = -1;
    x->followup_bodies = cJSON_CreateArray();
    x->next = fc->ixs;
    fc->ixs = x;
    text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!text || !x->token || fc_gw_dispatch(fc, s, "INTERACTION_CREATE", text) < 0)
        id = 0;
    free(text);
    return id;
}

static void
ix_callback(struct fakecord *fc, struct fc_http *h, const struct route *r)
{
    struct fc_ix *x = fc_ix_find(fc, strtoull(r->seg[1], NULL, 10));
    int64_t now = now_us();
    cJSON *b, *type, *data, *out, *ixo, *res;
    double ms;
    char buf[32];

    if (!x || strcmp(x->token, r->seg[2])) {
        fc_violation(fc, "interaction callback for unknown interaction");
        fc_http_error(h, 404, 10062, "Unknown interaction");
        return;
    }
    ms = (double)(now - x->created_us) / 1000.0;
    x->callbacks++;
    b = body_json(fc, h);
    type = b ? cJSON_GetObjectItemCaseSensitive(b, "type") : NULL;
    if (x->callbacks == 1) {
        x->callback_ms = ms;
        x->callback_type = cJSON_IsNumber(type) ? type->valueint : -1;
        x->callback_body = b ? cJSON_Duplicate(b, 1) : NULL;
    }
    if (x->original_id) {
        fc_violation(fc, "interaction acknowledged twice");
        fc_http_error(h, 400, 40060,
                      "Interaction has already been acknowledged.");
    } else if (ms > IX_CALLBACK_MS) {
        fc_violation(fc, "interaction callback after 3 s (%.0f ms)", ms);
        fc_http_error(h, 404, 10062, "Unknown interaction");
    } else if (!cJSON_IsNumber(type)) {
        fc_http_error(h, 400, 50035, "Invalid Form Body");
    } else {
        x->original_id = (int64_t)fc_snowflake(fc);
        if (!strstr(h->query, "with_response=true")) {
            fc_http_reply(h, 204, NULL);
        } else {
            out = cJSON_CreateObject();
            ixo = cJSON_AddObjectToObject(out, "interaction");
            cJSON_AddStringToObject(ixo, "id", str_of(buf, sizeof buf, x->id));
            cJSON_AddNumberToObject(ixo, "type", 2);
            cJSON_AddStringToObject(
                ixo, "response_message_id",
                str_of(buf, sizeof buf, (uint64_t)x->original_id));
            cJSON_AddBoolToObject(ixo, "response_message_loading",
                                  type->valueint == 5);
            data = cJSON_GetObjectItemCaseSensitive(b, "data");
            res = cJSON_AddObjectToObject(out, "resource");
            cJSON_AddNumberToObject(res, "type", type->valueint);
            if (type->valueint == 4 || type->valueint == 5 ||
                type->valueint == 7)
                cJSON_AddItemToObject(
                    res, "message",
                    message_object((uint64_t)x->original_id, "0", data, 1));
            fc_http_reply_json(h, 200, out);
        }
    }
    if (x->callbacks == 1)
        x->callback_status = h->status;
    cJSON_Delete(b);
}

static void
webhook(struct fakecord *fc, struct fc_http *h, const struct route *r)
{
    struct fc_ix *x = r->n >= 3 ? fc_ix_find_token(fc, r->seg[2]) : NULL;
    int64_t now = fc_now_ms();
    int original = is(r, 4, "@original");
    uint64_t mid;
    cJSON *b;

    if (r->n < 3 || strcmp(r->seg[1], FAKECORD_APP_ID) || !x) {
        fc_http_error(h, 401, 50027, "Invalid Webhook Token");
        return;
    }
    if (now - x->created_ms > IX_TOKEN_MS) {
        fc_violation(fc, "interaction token expired");
        fc_http_error(h, 404, 10062, "Unknown interaction");
        return;
    }
    if (!x->original_id) {
        fc_violation(fc, "webhook call before the initial response");
        fc_http_error(h, 404, 10015, "Unknown Webhook");
        return;
    }
    if (r->n == 3 && !strcmp(h->method, "POST")) {
        b = body_json(fc, h);
        if (!message_body_ok(h, b)) {
            cJSON_Delete(b);
            return;
        }
        x->followups++;
        cJSON_AddItemToArray(x->followup_bodies, cJSON_Duplicate(b, 1));
        fc_http_reply_json(h, 200, message_object(fc_snowflake(fc), "0", b, 1));
        cJSON_Delete(b);
        return;
    }
    if (r->n != 5 || !is(r, 3, "messages")) {
        fc_http_error(h, 404, 0, "404: Not Found");
        return;
    }
    mid = original ? (uint64_t)x->original_id
                   : strtoull(r->seg[4], NULL, 10);
    if (!strcmp(h->method, "DELETE")) {
        x->deletes++;
        fc_http_reply(h, 204, NULL);
    } else if (!strcmp(h->method, "PATCH")) {
        b = body_json(fc, h);
        if (!cJSON_IsObject(b)) {
            cJSON_Delete(b);
            fc_http_error(h, 400, 50109,
                          "The request body contains invalid JSON.");
            return;
        }
        if (original) {
            x->edits++;
            cJSON_Delete(x->last_edit);
            x->last_edit = cJSON_Duplicate(b, 1);
        }
        fc_http_reply_json(h, 200, message_object(mid, "0", b, 1));
        cJSON_Delete(b);
    } else if (!strcmp(h->method, "GET")) {
        fc_http_reply_json(
            h, 200,
            message_object(mid, "0", original ? x->last_edit : NULL, 1));
    } else {
        fc_http_error(h, 405, 0, "405: Method Not Allowed");
    }
}

/* ---- dispatch --------------------------------------------------------------- */

void
fc_routes_handle(struct fakecord *fc, struct fc_http *h)
{
    struct route r;
    const char *m = h->method;
    int get = !strcmp(m, "GET");

    if (split(&r, h->path) < 0 || r.n == 0) {
        fc_http_error(h, 404, 0, "404: Not Found");
        return;
    }
    if (get && r.n == 1 && is(&r, 0, "gateway")) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "url", fc->gw_url);
        fc_http_reply_json(h, 200, j);
    } else if (get && r.n == 2 && is(&r, 0, "gateway") && is(&r, 1, "bot")) {
        if (authed(fc, h))
            gateway_bot(fc, h);
    } else if (get && ((r.n == 2 && is(&r, 0, "applications") &&
                        is(&r, 1, "@me")) ||
                       (r.n == 3 && is(&r, 0, "oauth2") &&
                        is(&r, 1, "applications") && is(&r, 2, "@me")))) {
        if (authed(fc, h))
            application(h);
    } else if (get && r.n == 2 && is(&r, 0, "users") && is(&r, 1, "@me")) {
        if (authed(fc, h))
            fc_http_reply_json(h, 200, bot_user());
    } else if (r.n == 3 && is(&r, 0, "channels") && is(&r, 2, "messages") &&
               !strcmp(m, "POST")) {
        if (authed(fc, h))
            create_message(fc, h, r.seg[1]);
    } else if (r.n >= 3 && is(&r, 0, "applications") &&
               (is(&r, 2, "commands") || is(&r, 2, "guilds"))) {
        commands(fc, h, &r);
    } else if (r.n == 4 && is(&r, 0, "interactions") &&
               is(&r, 3, "callback") && !strcmp(m, "POST")) {
        ix_callback(fc, h, &r);
    } else if (r.n >= 3 && is(&r, 0, "webhooks")) {
        webhook(fc, h, &r);
    } else {
        fc_http_error(h, 404, 0, "404: Not Found");
    }
}

/* ---- public queries -------------------------------------------------------- */

int
fakecord_age_interaction(fakecord *fc, uint64_t id, int64_t ms)
{
    struct fc_ix *x;

    pthread_mutex_lock(&fc->mu);
    x = fc_ix_find(fc, id);
    if (x)
        x->created_ms -= ms, x->created_us -= ms * 1000;
    pthread_mutex_unlock(&fc->mu);
    return x ? 0 : -1;
}

int
fakecord_interaction_log(fakecord *fc, uint64_t id, struct fakecord_ix_log *out)
{
    struct fc_ix *x;

    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&fc->mu);
    x = fc_ix_find(fc, id);
    if (x) {
        out->token = strdup(x->token);
        out->callbacks = x->callbacks;
        out->callback_type = x->callback_type;
        out->callback_status = x->callback_status;
        out->callback_ms = x->callback_ms;
        out->edits = x->edits;
        out->followups = x->followups;
        out->deletes = x->deletes;
        out->callback_body =
            x->callback_body ? cJSON_Duplicate(x->callback_body, 1) : NULL;
        out->last_edit = x->last_edit ? cJSON_Duplicate(x->last_edit, 1) : NULL;
        out->followup_bodies = cJSON_Duplicate(x->followup_bodies, 1);
    }
    pthread_mutex_unlock(&fc->mu);
    return x ? 0 : -1;
}

int
fakecord_interaction_acks(fakecord *fc, struct fakecord_ack **out)
{
    struct fc_ix *x;
    int n = 0;

    *out = NULL;
    pthread_mutex_lock(&fc->mu);
    for (x = fc->ixs; x; x = x->next)
        n++;
    if (n && !(*out = calloc((size_t)n, sizeof **out))) {
        pthread_mutex_unlock(&fc->mu);
        return -1;
    }
    /* The list is newest first; the answer is oldest first. */
    x = fc->ixs;
    for (int i = n - 1; i >= 0; i--, x = x->next) {
        (*out)[i].id = x->id;
        (*out)[i].callbacks = x->callbacks;
        (*out)[i].callback_type = x->callback_type;
        (*out)[i].callback_ms = x->callback_ms;
        (*out)[i].edits = x->edits;
    }
    pthread_mutex_unlock(&fc->mu);
    return n;
}

void
fakecord_ix_log_free(struct fakecord_ix_log *l)
{
    if (!l)
        return;
    free(l->token);
    cJSON_Delete(l->callback_body);
    cJSON_Delete(l->last_edit);
    cJSON_Delete(l->followup_bodies);
    memset(l, 0, sizeof *l);
}

cJSON *
fakecord_commands(fakecord *fc, const char *guild_id)
{
    const cJSON *a;
    cJSON *r;

    pthread_mutex_lock(&fc->mu);
    a = cJSON_GetObjectItemCaseSensitive(fc->commands,
                                         guild_id ? guild_id : "global");
    r = a ? cJSON_Duplicate(a, 1) : cJSON_CreateArray();
    pthread_mutex_unlock(&fc->mu);
    return r;
}

cJSON *
fakecord_messages(fakecord *fc)
{
    cJSON *r;

    pthread_mutex_lock(&fc->mu);
    r = cJSON_Duplicate(fc->messages, 1);
    pthread_mutex_unlock(&fc->mu);
    return r;
}
