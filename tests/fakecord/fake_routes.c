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
#include "fake_guilds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SEGS       8
#define IX_CALLBACK_MS 3000
#define IX_TOKEN_MS    (15 * 60 * 1000)

struct route {
    int n;
    char *seg[MAX_SEGS];
    char *buf; /* owned copy of the path; tokens can be very long */
};

static int
split(struct route *r, const char *path)
{
    char *p, *save = NULL;

    r->n = 0;
    r->buf = strdup(path);
    if (!r->buf)
        return -1;
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
    static const char *copy[] = { "content",    "embeds",
                                  "components", "flags",
                                  "tts",        "nonce",
                                  "poll",       "message_reference" };
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

        cJSON_ArrayForEach(a, att)
        {
            cJSON *o = cJSON_CreateObject();
            const cJSON *fn = cJSON_GetObjectItemCaseSensitive(a, "filename");

            cJSON_AddStringToObject(o, "id", str_of(buf, sizeof buf, id + 1));
            cJSON_AddStringToObject(
                o, "filename", cJSON_IsString(fn) ? fn->valuestring : "file");
            cJSON_AddItemToArray(arr, o);
        }
        cJSON_ReplaceItemInObjectCaseSensitive(m, "attachments", arr);
    }
    return m;
}

static int
message_body_ok(struct fc_http *h, const cJSON *b)
{
    static const char *need[] = { "content",    "embeds", "sticker_ids",
                                  "components", "poll",   "attachments" };

    if (!cJSON_IsObject(b)) {
        fc_http_error(h, 400, 50109, "The request body contains invalid JSON.");
        return 0;
    }
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, need[i]);
        if (cJSON_IsString(v)
                ? *v->valuestring != '\0'
                : (v && cJSON_GetArraySize(v) > 0) || cJSON_IsObject(v))
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

/* Discord sends the bot its own messages back as MESSAGE_CREATE (with
 * GUILD_MESSAGES for guild channels, DIRECT_MESSAGES otherwise). Channel
 * k's guild is the fake guild whose id is one less (see fake_guilds.h). */
static void
echo_message(struct fakecord *fc, const cJSON *m, const char *channel)
{
    char gid[32];
    struct fc_session *s;
    cJSON *ev;
    char *text;
    int k, shard = 0;

    snprintf(gid, sizeof gid, "%llu",
             (unsigned long long)strtoull(channel, NULL, 10) - 1);
    k = fc_guild_index(fc, gid);
    s = fc_session_newest(fc, 0);
    if (k >= 0 && s)
        shard = (int)((fc_guild_id(k) >> 22) % (uint64_t)s->num_shards);
    s = fc_session_newest(fc, shard);
    if (!s || !(s->intents & (k >= 0 ? 1ULL << 9 : 1ULL << 12)))
        return;
    ev = cJSON_Duplicate(m, 1);
    if (k >= 0)
        cJSON_AddStringToObject(ev, "guild_id", gid);
    text = cJSON_PrintUnformatted(ev);
    cJSON_Delete(ev);
    if (text)
        fc_gw_dispatch(fc, s, "MESSAGE_CREATE", text);
    free(text);
}

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
    if (fc->o.echo_messages)
        echo_message(fc, m, channel);
    fc_http_reply_json(h, 200, m);
}

static void
edit_message(struct fakecord *fc, struct fc_http *h, const char *channel,
             const char *mid)
{
    cJSON *b = body_json(fc, h);

    if (!cJSON_IsObject(b)) {
        cJSON_Delete(b);
        fc_http_error(h, 400, 50109, "The request body contains invalid JSON.");
        return;
    }
    fc_http_reply_json(h, 200,
                       message_object(strtoull(mid, NULL, 10), channel, b, 0));
    cJSON_Delete(b);
}

/* /channels/{id}/... other than message creation. */
static void
channel_route(struct fakecord *fc, struct fc_http *h, const struct route *r)
{
    const char *m = h->method;

    if (!authed(fc, h))
        return;
    if (r->n == 2 && !strcmp(m, "GET")) {
        cJSON *c = cJSON_CreateObject();

        cJSON_AddStringToObject(c, "id", r->seg[1]);
        cJSON_AddNumberToObject(c, "type", 0);
        cJSON_AddStringToObject(c, "name", "general");
        fc_http_reply_json(h, 200, c);
    } else if (r->n == 3 && is(r, 2, "typing") && !strcmp(m, "POST")) {
        fc_http_reply(h, 204, NULL);
    } else if (r->n == 4 && is(r, 2, "messages") && !strcmp(m, "GET")) {
        fc_http_reply_json(
            h, 200,
            message_object(strtoull(r->seg[3], NULL, 10), r->seg[1], NULL, 0));
    } else if (r->n == 4 && is(r, 2, "messages") && !strcmp(m, "PATCH")) {
        edit_message(fc, h, r->seg[1], r->seg[3]);
    } else if (r->n == 4 && is(r, 2, "messages") && !strcmp(m, "DELETE")) {
        fc_http_reply(h, 204, NULL);
    } else if (r->n == 7 && is(r, 2, "messages") && is(r, 4, "reactions") &&
               is(r, 6, "@me") && (!strcmp(m, "PUT") || !strcmp(m, "DELETE"))) {
        fc_http_reply(h, 204, NULL);
    } else {
        fc_http_error(h, 404, 0, "404: Not Found");
    }
}

static void
dm_channel(struct fakecord *fc, struct fc_http *h)
{
    cJSON *b = body_json(fc, h), *c, *rec;
    const cJSON *rid =
        b ? cJSON_GetObjectItemCaseSensitive(b, "recipient_id") : NULL;
    char buf[32];

    if (!cJSON_IsString(rid)) {
        cJSON_Delete(b);
        fc_http_error(h, 400, 50035, "Invalid Form Body");
        return;
    }
    c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "id", str_of(buf, sizeof buf, fc_snowflake(fc)));
    cJSON_AddNumberToObject(c, "type", 1);
    cJSON_AddNullToObject(c, "last_message_id");
    rec = cJSON_AddArrayToObject(c, "recipients");
    cJSON *u = cJSON_CreateObject();
    cJSON_AddStringToObject(u, "id", rid->valuestring);
    cJSON_AddStringToObject(u, "username", "user");
    cJSON_AddStringToObject(u, "discriminator", "0");
    cJSON_AddItemToArray(rec, u);
    cJSON_Delete(b);
    fc_http_reply_json(h, 200, c);
}

static void
guild_member(struct fc_http *h, const char *uid)
{
    cJSON *m = cJSON_CreateObject(), *u = cJSON_CreateObject();

    cJSON_AddStringToObject(u, "id", uid);
    cJSON_AddStringToObject(u, "username", "user");
    cJSON_AddStringToObject(u, "discriminator", "0");
    cJSON_AddBoolToObject(u, "bot", !strcmp(uid, FAKECORD_APP_ID));
    cJSON_AddItemToObject(m, "user", u);
    cJSON_AddArrayToObject(m, "roles");
    cJSON_AddStringToObject(m, "joined_at", "2026-01-01T00:00:00.000000+00:00");
    cJSON_AddBoolToObject(m, "deaf", 0);
    cJSON_AddBoolToObject(m, "mute", 0);
    fc_http_reply_json(h, 200, m);
}

/* ---- commands --------------------------------------------------------------
 */

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
    cJSON_ArrayForEach(c, b)
    {
        if (!cJSON_IsObject(c) || !command_ok(c)) {
            cJSON_Delete(b);
            fc_http_error(h, 400, 50035, "Invalid Form Body");
            return;
        }
    }
    cJSON_ArrayForEach(c, b)
    {
        if (!cJSON_GetObjectItemCaseSensitive(c, "id"))
            cJSON_AddStringToObject(c, "id",
                                    str_of(buf, sizeof buf, fc_snowflake(fc)));
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
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(fc->commands,
                                                      guild ? guild : "global");

    fc_http_reply_json(h, 200, a ? cJSON_Duplicate(a, 1) : cJSON_CreateArray());
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

/* ---- interactions ----------------------------------------------------------
 */

uint64_t
fc_ix_push(struct fakecord *fc, const char *json)
{
    cJSON *j = cJSON_Parse(json), *gid;
    struct fc_session *s0, *s;
    struct fc_ix *x;
    char buf[32], *tok;
    size_t tlen;
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
    /* Token characters as Discord's (base64url); padded to the configured
     * length so fixed-size token buffers in a client show up. */
    tlen = fc->o.interaction_token_len > 64
               ? (size_t)fc->o.interaction_token_len
               : 64;
    tok = malloc(tlen + 1);
    if (!tok) {
        free(x);
        cJSON_Delete(j);
        return 0;
    }
    snprintf(tok, tlen + 1, "aW50ZXJhY3Rpb246%016llx%016llx",
             (unsigned long long)id, (unsigned long long)(id * 2654435761u));
    for (size_t i = strlen(tok); i < tlen; i++)
        tok[i] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                [(i * 7 + id) % 64];
    tok[tlen] = '\0';
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
    x->type = cJSON_GetObjectItemCaseSensitive(j, "type")->valueint;
    x->token = tok;
    x->created_ms = fc_now_ms();
    x->callback_type = -1;
    x->followup_bodies = cJSON_CreateArray();
    x->next = fc->ixs;
    fc->ixs = x;
    text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!text || !x->token ||
        fc_gw_dispatch(fc, s, "INTERACTION_CREATE", text) < 0)
        id = 0;
    free(text);
    return id;
}

/* Callback types each interaction type accepts (§3.3): 6/7 only for
 * components (and modals opened from them), 8 only for autocomplete, no
 * modal in answer to a modal; PONG is for the HTTP endpoint only. */
static int
callback_type_ok(int ix_type, int cb)
{
    switch (cb) {
    case 4:
    case 5:
    case 12:
        return ix_type != 1 && ix_type != 4;
    case 6:
    case 7:
        return ix_type == 3 || ix_type == 5;
    case 8:
        return ix_type == 4;
    case 9:
        return ix_type == 2 || ix_type == 3;
    default:
        return 0;
    }
}

static void
ix_callback(struct fakecord *fc, struct fc_http *h, const struct route *r)
{
    struct fc_ix *x = fc_ix_find(fc, strtoull(r->seg[1], NULL, 10));
    int64_t now = fc_now_ms();
    cJSON *b, *type, *data, *out, *ixo, *res;
    double ms;
    char buf[32];

    if (!x || strcmp(x->token, r->seg[2])) {
        fc_violation(fc, "interaction callback for unknown interaction");
        fc_http_error(h, 404, 10062, "Unknown interaction");
        return;
    }
    ms = (double)(now - x->created_ms);
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
    } else if (!cJSON_IsNumber(type) ||
               !callback_type_ok(x->type, type->valueint)) {
        fc_violation(fc,
                     "interaction callback type %d invalid for interaction "
                     "type %d",
                     cJSON_IsNumber(type) ? type->valueint : -1, x->type);
        fc_http_error(h, 400, 50035, "Invalid Form Body");
    } else {
        x->original_id = (int64_t)fc_snowflake(fc);
        if (!strstr(h->query, "with_response=true")) {
            fc_http_reply(h, 204, NULL);
        } else {
            out = cJSON_CreateObject();
            ixo = cJSON_AddObjectToObject(out, "interaction");
            cJSON_AddStringToObject(ixo, "id", str_of(buf, sizeof buf, x->id));
            cJSON_AddNumberToObject(ixo, "type", x->type);
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
    mid = original ? (uint64_t)x->original_id : strtoull(r->seg[4], NULL, 10);
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

/* ---- dispatch ---------------------------------------------------------------
 */

void
fc_routes_handle(struct fakecord *fc, struct fc_http *h)
{
    struct route r;
    const char *m = h->method;
    int get = !strcmp(m, "GET");

    if (split(&r, h->path) < 0 || r.n == 0) {
        free(r.buf);
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
    } else if (get &&
               ((r.n == 2 && is(&r, 0, "applications") && is(&r, 1, "@me")) ||
                (r.n == 3 && is(&r, 0, "oauth2") && is(&r, 1, "applications") &&
                 is(&r, 2, "@me")))) {
        if (authed(fc, h))
            application(h);
    } else if (get && r.n == 2 && is(&r, 0, "users") && is(&r, 1, "@me")) {
        if (authed(fc, h))
            fc_http_reply_json(h, 200, bot_user());
    } else if (r.n == 3 && is(&r, 0, "channels") && is(&r, 2, "messages") &&
               !strcmp(m, "POST")) {
        if (authed(fc, h))
            create_message(fc, h, r.seg[1]);
    } else if (r.n >= 2 && is(&r, 0, "channels")) {
        channel_route(fc, h, &r);
    } else if (r.n == 3 && is(&r, 0, "users") && is(&r, 1, "@me") &&
               is(&r, 2, "channels") && !strcmp(m, "POST")) {
        if (authed(fc, h))
            dm_channel(fc, h);
    } else if (get && r.n == 4 && is(&r, 0, "guilds") && is(&r, 2, "members")) {
        if (authed(fc, h))
            guild_member(h, r.seg[3]);
    } else if (r.n >= 3 && is(&r, 0, "applications") &&
               (is(&r, 2, "commands") || is(&r, 2, "guilds"))) {
        commands(fc, h, &r);
    } else if (r.n == 4 && is(&r, 0, "interactions") && is(&r, 3, "callback") &&
               !strcmp(m, "POST")) {
        ix_callback(fc, h, &r);
    } else if (r.n >= 3 && is(&r, 0, "webhooks")) {
        webhook(fc, h, &r);
    } else {
        fc_http_error(h, 404, 0, "404: Not Found");
    }
    free(r.buf);
}

/* ---- public queries --------------------------------------------------------
 */

int
fakecord_age_interaction(fakecord *fc, uint64_t id, int64_t ms)
{
    struct fc_ix *x;

    pthread_mutex_lock(&fc->mu);
    x = fc_ix_find(fc, id);
    if (x)
        x->created_ms -= ms;
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
