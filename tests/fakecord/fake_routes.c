/*
 * fake_routes.c: what each REST route of the fake answers.
 *
 * DESIGN. fc_routes_handle() splits the path (after /api/v10) into
 * segments and picks a handler. Handlers only read the request (h, its
 * record) and set the answer with fc_http_reply*; the intake, limits and
 * writing live in fake_rest.c; interaction and webhook routes are in
 * fake_interactions.c. The helpers below (body parsing, message objects)
 * are shared with it through fake_routes.h.
 */
#include "fake_routes.h"
#include "fake_guilds.h"
#include "fake_world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int
split(struct fc_route *r, const char *path)
{
    char *p, *save = NULL;

    r->n = 0;
    r->buf = strdup(path);
    if (!r->buf)
        return -1;
    for (p = strtok_r(r->buf, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
        if (r->n == FC_MAX_SEGS)
            return -1;
        r->seg[r->n++] = p;
    }
    return 0;
}

int
fc_route_is(const struct fc_route *r, int i, const char *lit)
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

const char *
fc_str_of(char *buf, size_t n, uint64_t v)
{
    snprintf(buf, n, "%llu", (unsigned long long)v);
    return buf;
}

/* The JSON payload of a body: plain JSON, or the payload_json part of a
 * multipart/form-data body. NULL if neither parses. */
cJSON *
fc_body_json(struct fakecord *fc, struct fc_http *h)
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

cJSON *
fc_bot_user(void)
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
cJSON *
fc_message_object(uint64_t id, const char *channel_id, const cJSON *body,
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
    cJSON_AddStringToObject(m, "id", fc_str_of(buf, sizeof buf, id));
    cJSON_AddStringToObject(m, "channel_id", channel_id);
    cJSON_AddItemToObject(m, "author", fc_bot_user());
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

        /* Replace fails (and would leak the copy) for a key the object
         * lacks, like nonce or poll: add those. */
        if (v && cJSON_GetObjectItemCaseSensitive(m, copy[i]))
            cJSON_ReplaceItemInObjectCaseSensitive(m, copy[i],
                                                   cJSON_Duplicate(v, 1));
        else if (v)
            cJSON_AddItemToObject(m, copy[i], cJSON_Duplicate(v, 1));
    }
    att = body ? cJSON_GetObjectItemCaseSensitive(body, "attachments") : NULL;
    if (cJSON_IsArray(att)) {
        cJSON *arr = cJSON_CreateArray();
        const cJSON *a;

        cJSON_ArrayForEach(a, att) {
            cJSON *o = cJSON_CreateObject();
            const cJSON *fn = cJSON_GetObjectItemCaseSensitive(a, "filename");

            cJSON_AddStringToObject(o, "id",
                                    fc_str_of(buf, sizeof buf, id + 1));
            cJSON_AddStringToObject(
                o, "filename", cJSON_IsString(fn) ? fn->valuestring : "file");
            cJSON_AddItemToArray(arr, o);
        }
        cJSON_ReplaceItemInObjectCaseSensitive(m, "attachments", arr);
    }
    return m;
}

int
fc_message_body_ok(struct fc_http *h, const cJSON *b)
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

/* Characters as Discord counts them for its limits: code points (bytes
 * that do not continue a UTF-8 sequence). */
static long
chars_of(const cJSON *v)
{
    long n = 0;

    if (!cJSON_IsString(v))
        return 0;
    for (const unsigned char *p = (const unsigned char *)v->valuestring; *p;
         p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

static const cJSON *
item(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* The first of Discord's limits `b` breaks, in `why`; 0 if none. */
static int
limit_broken(const cJSON *b, int kind, char *why, size_t len)
{
    const cJSON *e, *f, *embeds = item(b, "embeds");
    long total = 0;

    if (!cJSON_IsArray(embeds))
        embeds = NULL;

    if (kind == FC_BODY_CHOICES) {
        const cJSON *choices = item(b, "choices");

        if (cJSON_GetArraySize(choices) > 25)
            return snprintf(why, len, "%d choices",
                            cJSON_GetArraySize(choices));
        cJSON_ArrayForEach(e, choices) {
            if (chars_of(item(e, "name")) > 100)
                return snprintf(why, len, "a choice name over 100");
        }
        return 0;
    }
    if (kind == FC_BODY_MODAL) {
        long t = chars_of(item(b, "title")), c = chars_of(item(b, "custom_id"));

        if (t < 1 || t > 45 || c < 1 || c > 100)
            return snprintf(why, len, "modal title %ld, custom_id %ld", t, c);
        return 0;
    }
    if (chars_of(item(b, "content")) > 2000)
        return snprintf(why, len, "content: %ld characters",
                        chars_of(item(b, "content")));
    if (cJSON_GetArraySize(embeds) > 10)
        return snprintf(why, len, "%d embeds", cJSON_GetArraySize(embeds));
    cJSON_ArrayForEach(e, embeds) {
        const cJSON *fields = item(e, "fields");

        total += chars_of(item(e, "title")) + chars_of(item(e, "description")) +
                 chars_of(item(item(e, "footer"), "text")) +
                 chars_of(item(item(e, "author"), "name"));
        if (cJSON_IsArray(fields))
            cJSON_ArrayForEach(f, fields) {
                total += chars_of(item(f, "name")) + chars_of(item(f, "value"));
            }
    }
    if (total > 6000)
        return snprintf(why, len, "embeds: %ld characters", total);
    return 0;
}

int
fc_limits_ok(struct fakecord *fc, struct fc_http *h, const cJSON *b, int kind)
{
    char why[96];

    if (!limit_broken(b, kind, why, sizeof why))
        return 1;
    fc_violation(fc, "body over Discord's limits (%s %s: %s)", h->method,
                 h->path, why);
    fc_http_error(h, 400, 50035, "Invalid Form Body");
    return 0;
}

/* ---- gateway, application, user ------------------------------------------ */

static void
gateway_bot(struct fakecord *fc, struct fc_http *h)
{
    cJSON *j = cJSON_CreateObject(), *l;
    int total, remaining;
    int64_t reset_after;

    remaining = fc_session_limit(fc, &total, &reset_after);
    cJSON_AddStringToObject(j, "url", fc->gw_url);
    cJSON_AddNumberToObject(j, "shards", fc->o.shards);
    l = cJSON_AddObjectToObject(j, "session_start_limit");
    cJSON_AddNumberToObject(l, "total", total);
    cJSON_AddNumberToObject(l, "remaining", remaining);
    cJSON_AddNumberToObject(l, "reset_after", (double)reset_after);
    cJSON_AddNumberToObject(l, "max_concurrency", fc->o.max_concurrency);
    fc_http_reply_json(h, 200, j);
}

static void
application(struct fc_http *h)
{
    cJSON *j = cJSON_CreateObject(), *owner;

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
    cJSON_AddItemToObject(j, "bot", fc_bot_user());
    /* A person, not the bot: owner_only checks read it. */
    owner = cJSON_AddObjectToObject(j, "owner");
    cJSON_AddStringToObject(owner, "id", FAKECORD_OWNER_ID);
    cJSON_AddStringToObject(owner, "username", "fakeowner");
    cJSON_AddStringToObject(owner, "discriminator", "0");
    cJSON_AddNullToObject(owner, "global_name");
    cJSON_AddNullToObject(owner, "avatar");
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

/* Discord dedupes a create with enforce_nonce "within the past few
 * minutes"; the fake keeps them this long. */
#define NONCE_WINDOW_MS (3 * 60 * 1000)

void
fc_nonces_free_all(struct fakecord *fc)
{
    for (size_t i = 0; i < FC_NONCE_BUCKETS; i++)
        while (fc->nonces[i]) {
            struct fc_nonce *n = fc->nonces[i];

            fc->nonces[i] = n->next;
            cJSON_Delete(n->msg);
            free(n);
        }
}

/* The nonce of a create body as text, "" when it has none. Returns -1
 * (after answering h) for a nonce Discord refuses: not a string or an
 * integer, or longer than 25 characters. */
static int
body_nonce(struct fc_http *h, const cJSON *b, char *out, size_t cap)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(b, "nonce");

    out[0] = '\0';
    if (!n)
        return 0;
    if (cJSON_IsString(n) && strlen(n->valuestring) <= 25)
        snprintf(out, cap, "%s", n->valuestring);
    else if (cJSON_IsNumber(n) &&
             n->valuedouble == (double)(int64_t)n->valuedouble)
        snprintf(out, cap, "%lld", (long long)n->valuedouble);
    if (out[0])
        return 0;
    fc_http_error(h, 400, 50035, "Invalid Form Body");
    return -1;
}

static struct fc_nonce **
nonce_chain(struct fakecord *fc, const char *channel, const char *nonce)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (const char *p = channel; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
    h = (h ^ '/') * 0x100000001b3ull;
    for (const char *p = nonce; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
    return &fc->nonces[h % FC_NONCE_BUCKETS];
}

/* The message an enforced nonce already created in this channel within
 * the window, or NULL. Drops records past the window on the way. */
static const struct fc_nonce *
nonce_find(struct fakecord *fc, const char *channel, const char *nonce)
{
    int64_t now = fc_now_ms();
    struct fc_nonce **pp = nonce_chain(fc, channel, nonce);

    while (*pp) {
        struct fc_nonce *n = *pp;

        if (now - n->at_ms > NONCE_WINDOW_MS) {
            *pp = n->next;
            cJSON_Delete(n->msg);
            free(n);
            continue;
        }
        if (!strcmp(n->channel, channel) && !strcmp(n->nonce, nonce))
            return n;
        pp = &n->next;
    }
    return NULL;
}

static void
nonce_remember(struct fakecord *fc, const char *channel, const char *nonce,
               const cJSON *m)
{
    struct fc_nonce *n = calloc(1, sizeof *n), **chain;

    if (!n)
        return;
    chain = nonce_chain(fc, channel, nonce);
    snprintf(n->channel, sizeof n->channel, "%s", channel);
    snprintf(n->nonce, sizeof n->nonce, "%s", nonce);
    n->at_ms = fc_now_ms();
    n->msg = cJSON_Duplicate(m, 1);
    n->next = *chain;
    *chain = n;
}

static void
create_message(struct fakecord *fc, struct fc_http *h, const char *channel)
{
    cJSON *b = fc_body_json(fc, h), *m;
    const struct fc_nonce *seen;
    char nonce[32];
    int enforce;

    if (!fc_message_body_ok(h, b) || !fc_limits_ok(fc, h, b, FC_BODY_MESSAGE) ||
        body_nonce(h, b, nonce, sizeof nonce)) {
        cJSON_Delete(b);
        return;
    }
    enforce =
        nonce[0] &&
        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(b, "enforce_nonce"));
    seen = enforce ? nonce_find(fc, channel, nonce) : NULL;
    if (seen) {
        /* Discord's dedupe: the message the first create made. */
        cJSON_Delete(b);
        fc_http_reply_json(h, 200, cJSON_Duplicate(seen->msg, 1));
        return;
    }
    m = fc_message_object(fc_snowflake(fc), channel, b, 0);
    if (enforce)
        nonce_remember(fc, channel, nonce, m);
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
    cJSON *b = fc_body_json(fc, h);

    if (!cJSON_IsObject(b)) {
        cJSON_Delete(b);
        fc_http_error(h, 400, 50109, "The request body contains invalid JSON.");
        return;
    }
    if (!fc_limits_ok(fc, h, b, FC_BODY_MESSAGE)) {
        cJSON_Delete(b);
        return;
    }
    fc_http_reply_json(
        h, 200, fc_message_object(strtoull(mid, NULL, 10), channel, b, 0));
    cJSON_Delete(b);
}

/* /channels/{id}/... other than message creation. */
static void
channel_route(struct fakecord *fc, struct fc_http *h, const struct fc_route *r)
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
    } else if (r->n == 3 && fc_route_is(r, 2, "typing") && !strcmp(m, "POST")) {
        fc_http_reply(h, 204, NULL);
    } else if (r->n == 4 && fc_route_is(r, 2, "messages") &&
               !strcmp(m, "GET")) {
        fc_http_reply_json(h, 200,
                           fc_message_object(strtoull(r->seg[3], NULL, 10),
                                             r->seg[1], NULL, 0));
    } else if (r->n == 4 && fc_route_is(r, 2, "messages") &&
               !strcmp(m, "PATCH")) {
        edit_message(fc, h, r->seg[1], r->seg[3]);
    } else if (r->n == 4 && fc_route_is(r, 2, "messages") &&
               !strcmp(m, "DELETE")) {
        fc_http_reply(h, 204, NULL);
    } else if (r->n == 7 && fc_route_is(r, 2, "messages") &&
               fc_route_is(r, 4, "reactions")) {
        fc_reaction_route(fc, h, r);
    } else {
        fc_http_error(h, 404, 0, "404: Not Found");
    }
}

static void
dm_channel(struct fakecord *fc, struct fc_http *h)
{
    cJSON *b = fc_body_json(fc, h), *c, *rec;
    const cJSON *rid =
        b ? cJSON_GetObjectItemCaseSensitive(b, "recipient_id") : NULL;
    char buf[32];

    if (!cJSON_IsString(rid)) {
        cJSON_Delete(b);
        fc_http_error(h, 400, 50035, "Invalid Form Body");
        return;
    }
    c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "id",
                            fc_str_of(buf, sizeof buf, fc_snowflake(fc)));
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

/* ---- commands ------------------------------------------------------------ */

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
    cJSON *b = fc_body_json(fc, h), *c, *out;
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
                c, "id", fc_str_of(buf, sizeof buf, fc_snowflake(fc)));
        if (!cJSON_GetObjectItemCaseSensitive(c, "type"))
            cJSON_AddNumberToObject(c, "type", 1);
        cJSON_DeleteItemFromObjectCaseSensitive(c, "application_id");
        cJSON_AddStringToObject(c, "application_id", FAKECORD_APP_ID);
        cJSON_DeleteItemFromObjectCaseSensitive(c, "version");
        cJSON_AddStringToObject(c, "version",
                                fc_str_of(buf, sizeof buf, fc_snowflake(fc)));
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
commands(struct fakecord *fc, struct fc_http *h, const struct fc_route *r)
{
    const char *guild = NULL;
    int base = 3;

    if (!authed(fc, h))
        return;
    if (strcmp(r->seg[1], FAKECORD_APP_ID)) {
        fc_http_error(h, 403, 50001, "Missing Access");
        return;
    }
    if (fc_route_is(r, 2, "guilds") && r->n >= 5 &&
        fc_route_is(r, 4, "commands")) {
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

/* ---- dispatch ------------------------------------------------------------ */

void
fc_routes_handle(struct fakecord *fc, struct fc_http *h)
{
    struct fc_route r;
    const char *m = h->method;
    int get = !strcmp(m, "GET");

    if (split(&r, h->path) < 0 || r.n == 0) {
        free(r.buf);
        fc_http_error(h, 404, 0, "404: Not Found");
        return;
    }
    if (!fc_world_reason_ok(fc, h)) {
        free(r.buf);
        return;
    }
    /* The modelled guilds, their channels and webhooks (fake_world.h). */
    if ((r.n >= 2 && fc_route_is(&r, 0, "guilds")) ||
        (r.n >= 2 && fc_route_is(&r, 0, "channels"))) {
        if (!authed(fc, h) || fc_world_guild_route(fc, h, &r) ||
            fc_world_channel_route(fc, h, &r)) {
            free(r.buf);
            return;
        }
    } else if (fc_world_webhook_route(fc, h, &r)) {
        free(r.buf);
        return;
    }
    if (get && r.n == 1 && fc_route_is(&r, 0, "gateway")) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "url", fc->gw_url);
        fc_http_reply_json(h, 200, j);
    } else if (get && r.n == 2 && fc_route_is(&r, 0, "gateway") &&
               fc_route_is(&r, 1, "bot")) {
        if (authed(fc, h))
            gateway_bot(fc, h);
    } else if (get && ((r.n == 2 && fc_route_is(&r, 0, "applications") &&
                        fc_route_is(&r, 1, "@me")) ||
                       (r.n == 3 && fc_route_is(&r, 0, "oauth2") &&
                        fc_route_is(&r, 1, "applications") &&
                        fc_route_is(&r, 2, "@me")))) {
        if (authed(fc, h))
            application(h);
    } else if (get && r.n == 2 && fc_route_is(&r, 0, "users") &&
               fc_route_is(&r, 1, "@me")) {
        if (authed(fc, h))
            fc_http_reply_json(h, 200, fc_bot_user());
    } else if (r.n == 3 && fc_route_is(&r, 0, "channels") &&
               fc_route_is(&r, 2, "messages") && !strcmp(m, "POST")) {
        if (authed(fc, h))
            create_message(fc, h, r.seg[1]);
    } else if (r.n >= 2 && fc_route_is(&r, 0, "channels")) {
        channel_route(fc, h, &r);
    } else if (r.n == 3 && fc_route_is(&r, 0, "users") &&
               fc_route_is(&r, 1, "@me") && fc_route_is(&r, 2, "channels") &&
               !strcmp(m, "POST")) {
        if (authed(fc, h))
            dm_channel(fc, h);
    } else if (r.n >= 3 && fc_route_is(&r, 0, "applications") &&
               (fc_route_is(&r, 2, "commands") ||
                fc_route_is(&r, 2, "guilds"))) {
        commands(fc, h, &r);
    } else if (r.n == 4 && fc_route_is(&r, 0, "interactions") &&
               fc_route_is(&r, 3, "callback") && !strcmp(m, "POST")) {
        fc_ix_callback(fc, h, &r);
    } else if (r.n >= 3 && fc_route_is(&r, 0, "webhooks")) {
        fc_ix_webhook(fc, h, &r);
    } else {
        fc_http_error(h, 404, 0, "404: Not Found");
    }
    free(r.buf);
}

/* ---- public queries ------------------------------------------------------ */

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
fakecord_message_object(const char *id, const char *channel_id,
                        const cJSON *body, int webhook)
{
    return fc_message_object(strtoull(id, NULL, 10), channel_id, body, webhook);
}

cJSON *
fc_copy_locked(struct fakecord *fc, cJSON *const *store)
{
    cJSON *r;

    pthread_mutex_lock(&fc->mu);
    r = cJSON_Duplicate(*store, 1);
    pthread_mutex_unlock(&fc->mu);
    return r;
}

cJSON *
fakecord_messages(fakecord *fc)
{
    return fc_copy_locked(fc, &fc->messages);
}
