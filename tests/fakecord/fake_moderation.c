/*
 * fake_moderation.c: the guild, member, role, ban, channel, thread, pin,
 * bulk-delete and webhook routes, answered from the guild model
 * (fake_world.h) as Discord answers them: 404 with Discord's code for an
 * unknown guild (10004), channel (10003), member (10007), message (10008),
 * role (10011), ban (10026) or webhook (10015); 403 50013 when the bot
 * lacks the permission or the target's highest role is not below the
 * bot's (the hierarchy rule of permissions.mdx); 400 50035 for a body
 * over Discord's limits; 400 50034 for a bulk delete of a message older
 * than 14 days. Only limits a client library is expected to check itself
 * (bulk-delete count and age) are also recorded as violations.
 *
 * Sources: developers/resources/{guild,channel,message,webhook}.mdx and
 * developers/topics/permissions.mdx, discord/discord-api-docs c98d64b.
 */
#include "fake_world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DISCORD_EPOCH_MS 1420070400000LL
#define FOURTEEN_DAYS_MS (14LL * 24 * 3600 * 1000)
#define TIMEOUT_MAX_S    (28LL * 24 * 3600)

static int
is(const struct fc_http *h, const char *m)
{
    return !strcmp(h->method, m);
}

static long
chars_of(const char *s)
{
    long n = 0;

    for (; s && *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void
remove_member(cJSON *w, const char *uid)
{
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(w, "members");
    int i = 0;
    cJSON *m;

    cJSON_ArrayForEach(m, arr) {
        if (!strcmp(cJSON_GetObjectItemCaseSensitive(
                        cJSON_GetObjectItemCaseSensitive(m, "user"), "id")
                        ->valuestring,
                    uid)) {
            cJSON_DeleteItemFromArray(arr, i);
            return;
        }
        i++;
    }
}

/* The bot may act on member m: not the owner, and m's highest role is
 * below the bot's. Answers 403 50013 otherwise. */
static int
outranks(struct fc_http *h, const cJSON *w, const cJSON *m)
{
    const cJSON *bot = fc_world_member(w, FAKECORD_APP_ID);
    const cJSON *owner = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(w, "guild"), "owner_id");
    const char *uid = cJSON_GetObjectItemCaseSensitive(
                          cJSON_GetObjectItemCaseSensitive(m, "user"), "id")
                          ->valuestring;

    if (strcmp(uid, owner->valuestring) &&
        fc_world_top(w, m) < fc_world_top(w, bot))
        return 1;
    fc_http_error(h, 403, 50013, "Missing Permissions");
    return 0;
}

/* Role r is below the bot's highest role. */
static int
role_below(struct fc_http *h, const cJSON *w, const cJSON *r)
{
    if (cJSON_GetObjectItemCaseSensitive(r, "position")->valueint <
        fc_world_top(w, fc_world_member(w, FAKECORD_APP_ID)))
        return 1;
    fc_http_error(h, 403, 50013, "Missing Permissions");
    return 0;
}

static cJSON *
need_member(struct fc_http *h, cJSON *w, const char *uid)
{
    cJSON *m = fc_world_member(w, uid);

    if (!m)
        fc_http_error(h, 404, 10007, "Unknown Member");
    return m;
}

static cJSON *
need_role(struct fc_http *h, cJSON *w, const char *rid)
{
    cJSON *r = fc_world_role(w, rid);

    if (!r)
        fc_http_error(h, 404, 10011, "Unknown Role");
    return r;
}

/* ---- members ------------------------------------------------------------- */

/* The value of `key` in the query, or NULL. */
static const char *
query_val(const char *q, const char *key)
{
    size_t kl = strlen(key);

    for (const char *p = q; p && *p;) {
        if (!strncmp(p, key, kl) && p[kl] == '=')
            return p + kl + 1;
        p = strpbrk(p, "&,"); /* lws joins URI arguments with ',' */
        p = p ? p + 1 : NULL;
    }
    return NULL;
}

static void
list_members(struct fc_http *h, cJSON *w)
{
    const char *l = query_val(h->query, "limit"), *a;
    long limit = l ? strtol(l, NULL, 10) : 1;
    unsigned long long after =
        (a = query_val(h->query, "after")) ? strtoull(a, NULL, 10) : 0;
    cJSON *out, *m;

    if (limit < 1 || limit > 1000) {
        fc_http_error(h, 400, 50035, "Invalid Form Body");
        return;
    }
    out = cJSON_CreateArray();
    /* Members are kept in ascending user id order, as Discord pages. */
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(w, "members")) {
        unsigned long long id =
            strtoull(cJSON_GetObjectItemCaseSensitive(
                         cJSON_GetObjectItemCaseSensitive(m, "user"), "id")
                         ->valuestring,
                     NULL, 10);

        if (id <= after)
            continue;
        if (cJSON_GetArraySize(out) == limit)
            break;
        cJSON_AddItemToArray(out, cJSON_Duplicate(m, 1));
    }
    fc_http_reply_json(h, 200, out);
}

/* PATCH /guilds/{g}/members/{u}: the timeout field (others echoed). */
static void
modify_member(struct fakecord *fc, struct fc_http *h, cJSON *w, cJSON *m)
{
    cJSON *b = fc_body_json(fc, h);
    const cJSON *until =
        b ? cJSON_GetObjectItemCaseSensitive(b, "communication_disabled_until")
          : NULL;

    if (!cJSON_IsObject(b)) {
        cJSON_Delete(b);
        fc_http_error(h, 400, 50109, "The request body contains invalid JSON.");
        return;
    }
    if (until) {
        struct tm tm = { 0 };
        time_t t;

        if (!fc_world_allowed(h, w, FC_P_MODERATE) || !outranks(h, w, m)) {
            cJSON_Delete(b);
            return;
        }
        if (cJSON_IsString(until)) {
            if (!strptime(until->valuestring, "%Y-%m-%dT%H:%M:%S", &tm) ||
                (t = timegm(&tm)) - time(NULL) > TIMEOUT_MAX_S + 60) {
                cJSON_Delete(b);
                fc_http_error(h, 400, 50035, "Invalid Form Body");
                return;
            }
        } else if (!cJSON_IsNull(until)) {
            cJSON_Delete(b);
            fc_http_error(h, 400, 50035, "Invalid Form Body");
            return;
        }
        cJSON_ReplaceItemInObjectCaseSensitive(
            m, "communication_disabled_until", cJSON_Duplicate(until, 1));
    }
    cJSON_Delete(b);
    fc_http_reply_json(h, 200, cJSON_Duplicate(m, 1));
}

static void
member_role(struct fc_http *h, cJSON *w, cJSON *m, const char *rid)
{
    cJSON *r = need_role(h, w, rid), *roles, *e;
    int i = 0;

    if (!r || !fc_world_allowed(h, w, FC_P_MANAGE_ROLES) ||
        !role_below(h, w, r))
        return;
    roles = cJSON_GetObjectItemCaseSensitive(m, "roles");
    cJSON_ArrayForEach(e, roles) {
        if (!strcmp(e->valuestring, rid))
            break;
        i++;
    }
    if (is(h, "PUT") && !e)
        cJSON_AddItemToArray(roles, cJSON_CreateString(rid));
    else if (is(h, "DELETE") && e)
        cJSON_DeleteItemFromArray(roles, i);
    fc_http_reply(h, 204, NULL);
}

static void
ban(struct fakecord *fc, struct fc_http *h, cJSON *w, const char *uid)
{
    cJSON *bans = cJSON_GetObjectItemCaseSensitive(w, "bans"), *b, *rec;
    cJSON *m = fc_world_member(w, uid);
    const cJSON *secs;

    if (!fc_world_allowed(h, w, FC_P_BAN))
        return;
    if (is(h, "DELETE")) {
        if (!cJSON_GetObjectItemCaseSensitive(bans, uid)) {
            fc_http_error(h, 404, 10026, "Unknown Ban");
            return;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(bans, uid);
        fc_http_reply(h, 204, NULL);
        return;
    }
    b = fc_body_json(fc, h);
    secs = b ? cJSON_GetObjectItemCaseSensitive(b, "delete_message_seconds")
             : NULL;
    if (secs && (!cJSON_IsNumber(secs) || secs->valuedouble < 0 ||
                 secs->valuedouble > 604800)) {
        cJSON_Delete(b);
        fc_http_error(h, 400, 50035, "Invalid Form Body");
        return;
    }
    cJSON_Delete(b);
    if (m && !outranks(h, w, m))
        return;
    rec = cJSON_CreateObject();
    cJSON_AddItemToObject(rec, "user", cJSON_CreateObject());
    cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(rec, "user"), "id",
                            uid);
    cJSON_DeleteItemFromObjectCaseSensitive(bans, uid);
    cJSON_AddItemToObject(bans, uid, rec);
    if (m)
        remove_member(w, uid);
    fc_http_reply(h, 204, NULL);
}

/* ---- roles --------------------------------------------------------------- */

static void
roles_route(struct fakecord *fc, struct fc_http *h, cJSON *w,
            const struct fc_route *r)
{
    cJSON *roles = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(w, "guild"), "roles");
    cJSON *role, *b;
    const cJSON *v;
    char buf[32];

    if (r->n == 3 && is(h, "GET")) {
        fc_http_reply_json(h, 200, cJSON_Duplicate(roles, 1));
        return;
    }
    if (!fc_world_allowed(h, w, FC_P_MANAGE_ROLES))
        return;
    if (r->n == 3 && is(h, "POST")) {
        b = fc_body_json(fc, h);
        v = b ? cJSON_GetObjectItemCaseSensitive(b, "permissions") : NULL;
        /* A bot can only grant permissions it has. */
        if (cJSON_IsString(v) &&
            (strtoull(v->valuestring, NULL, 10) & ~fc_world_bot_perms(w))) {
            cJSON_Delete(b);
            fc_http_error(h, 403, 50013, "Missing Permissions");
            return;
        }
        role = cJSON_CreateObject();
        cJSON_AddStringToObject(role, "id",
                                fc_str_of(buf, sizeof buf, fc_snowflake(fc)));
        v = b ? cJSON_GetObjectItemCaseSensitive(b, "name") : NULL;
        cJSON_AddStringToObject(
            role, "name", cJSON_IsString(v) ? v->valuestring : "new role");
        cJSON_AddNumberToObject(role, "position", 1);
        v = b ? cJSON_GetObjectItemCaseSensitive(b, "permissions") : NULL;
        cJSON_AddStringToObject(role, "permissions",
                                cJSON_IsString(v) ? v->valuestring : "0");
        cJSON_AddBoolToObject(role, "managed", 0);
        cJSON_AddItemToArray(roles, cJSON_Duplicate(role, 1));
        cJSON_Delete(b);
        fc_http_reply_json(h, 200, role);
        return;
    }
    if (r->n != 4 || !(role = need_role(h, w, r->seg[3])) ||
        !role_below(h, w, role))
        return;
    if (is(h, "PATCH")) {
        b = fc_body_json(fc, h);
        cJSON_ArrayForEach(v, b) {
            if (strcmp(v->string, "name") && strcmp(v->string, "permissions"))
                continue;
            cJSON_DeleteItemFromObjectCaseSensitive(role, v->string);
            cJSON_AddItemToObject(role, v->string, cJSON_Duplicate(v, 1));
        }
        cJSON_Delete(b);
        fc_http_reply_json(h, 200, cJSON_Duplicate(role, 1));
    } else if (is(h, "DELETE")) {
        int i = 0;
        cJSON *e;

        cJSON_ArrayForEach(e, roles) {
            if (e == role)
                break;
            i++;
        }
        cJSON_DeleteItemFromArray(roles, i);
        fc_http_reply(h, 204, NULL);
    } else {
        fc_http_error(h, 405, 0, "405: Method Not Allowed");
    }
}

int
fc_world_guild_route(struct fakecord *fc, struct fc_http *h,
                     const struct fc_route *r)
{
    cJSON *w, *m;

    if (r->n < 2 || !fc_route_is(r, 0, "guilds"))
        return 0;
    w = fc_world_guild(fc, r->seg[1]);
    if (!w) {
        fc_http_error(h, 404, 10004, "Unknown Guild");
        return 1;
    }
    if (r->n == 2 && is(h, "GET")) {
        fc_http_reply_json(
            h, 200,
            cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(w, "guild"), 1));
    } else if (fc_route_is(r, 2, "roles") && r->n <= 4) {
        roles_route(fc, h, w, r);
    } else if (r->n == 3 && fc_route_is(r, 2, "members") && is(h, "GET")) {
        list_members(h, w);
    } else if (r->n == 4 && fc_route_is(r, 2, "bans") &&
               (is(h, "PUT") || is(h, "DELETE"))) {
        ban(fc, h, w, r->seg[3]);
    } else if (r->n >= 4 && fc_route_is(r, 2, "members")) {
        if (!(m = need_member(h, w, r->seg[3])))
            return 1;
        if (r->n == 4 && is(h, "GET")) {
            fc_http_reply_json(h, 200, cJSON_Duplicate(m, 1));
        } else if (r->n == 4 && is(h, "PATCH")) {
            modify_member(fc, h, w, m);
        } else if (r->n == 4 && is(h, "DELETE")) {
            if (fc_world_allowed(h, w, FC_P_KICK) && outranks(h, w, m)) {
                remove_member(w, r->seg[3]);
                fc_http_reply(h, 204, NULL);
            }
        } else if (r->n == 6 && fc_route_is(r, 4, "roles") &&
                   (is(h, "PUT") || is(h, "DELETE"))) {
            member_role(h, w, m, r->seg[5]);
        } else {
            fc_http_error(h, 404, 0, "404: Not Found");
        }
    } else {
        fc_http_error(h, 404, 0, "404: Not Found");
    }
    return 1;
}

/* ---- channels ------------------------------------------------------------ */

static void
bulk_delete(struct fakecord *fc, struct fc_http *h, cJSON *w, const char *cid)
{
    cJSON *b = fc_body_json(fc, h), *del;
    const cJSON *ids =
        b ? cJSON_GetObjectItemCaseSensitive(b, "messages") : NULL;
    const cJSON *id, *id2;
    int64_t now = (int64_t)time(NULL) * 1000;
    int n = cJSON_GetArraySize(ids);

    if (!fc_world_allowed(h, w, FC_P_MANAGE_MSGS)) {
        cJSON_Delete(b);
        return;
    }
    if (!cJSON_IsArray(ids) || n < 2 || n > 100) {
        fc_violation(fc, "rest: bulk delete of %d messages (2..100)", n);
        cJSON_Delete(b);
        fc_http_error(h, 400, 50035, "Invalid Form Body");
        return;
    }
    cJSON_ArrayForEach(id, ids) {
        unsigned long long v =
            cJSON_IsString(id) ? strtoull(id->valuestring, NULL, 10) : 0;

        for (id2 = ids->child; id2 != id; id2 = id2->next)
            if (cJSON_IsString(id2) && cJSON_IsString(id) &&
                !strcmp(id2->valuestring, id->valuestring))
                break;
        if (!v || id2 != id) {
            fc_violation(fc, "rest: bulk delete with a bad or repeated id");
            cJSON_Delete(b);
            fc_http_error(h, 400, 50035, "Invalid Form Body");
            return;
        }
        if (now - ((int64_t)(v >> 22) + DISCORD_EPOCH_MS) > FOURTEEN_DAYS_MS) {
            fc_violation(fc, "rest: bulk delete of a message older than 14 "
                             "days");
            cJSON_Delete(b);
            fc_http_error(h, 400, 50034,
                          "You can only bulk delete messages that are under "
                          "14 days old.");
            return;
        }
    }
    del = cJSON_GetObjectItemCaseSensitive(w, "deleted");
    cJSON_ArrayForEach(id, ids) {
        if (fc_world_message(fc, w, cid, id->valuestring))
            cJSON_AddTrueToObject(del, id->valuestring);
    }
    cJSON_Delete(b);
    fc_http_reply(h, 204, NULL);
}

static void
thread_create(struct fakecord *fc, struct fc_http *h, cJSON *w,
              const cJSON *parent, const char *from_msg)
{
    cJSON *b = fc_body_json(fc, h), *t;
    const cJSON *name = b ? cJSON_GetObjectItemCaseSensitive(b, "name") : NULL;
    const cJSON *type = b ? cJSON_GetObjectItemCaseSensitive(b, "type") : NULL;
    int ty = from_msg ? 11 : cJSON_IsNumber(type) ? type->valueint : 12;
    char buf[32];
    long n = cJSON_IsString(name) ? chars_of(name->valuestring) : 0;

    if (!fc_world_allowed(h, w,
                          ty == 12 ? (1ULL << 36) : FC_P_PUBLIC_THREADS)) {
        cJSON_Delete(b);
        return;
    }
    if (n < 1 || n > 100) {
        cJSON_Delete(b);
        fc_http_error(h, 400, 50035, "Invalid Form Body");
        return;
    }
    t = cJSON_CreateObject();
    cJSON_AddStringToObject(
        t, "id",
        from_msg ? from_msg : fc_str_of(buf, sizeof buf, fc_snowflake(fc)));
    cJSON_AddNumberToObject(t, "type", ty);
    cJSON_AddItemToObject(
        t, "guild_id",
        cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(parent, "guild_id"),
                        1));
    cJSON_AddItemToObject(
        t, "parent_id",
        cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(parent, "id"), 1));
    cJSON_AddStringToObject(t, "name", name->valuestring);
    cJSON_AddItemToObject(t, "thread_metadata", cJSON_CreateObject());
    cJSON_AddFalseToObject(
        cJSON_GetObjectItemCaseSensitive(t, "thread_metadata"), "archived");
    cJSON_AddItemToObject(
        cJSON_GetObjectItemCaseSensitive(w, "channels"),
        cJSON_GetObjectItemCaseSensitive(t, "id")->valuestring,
        cJSON_Duplicate(t, 1));
    cJSON_Delete(b);
    fc_http_reply_json(h, 201, t);
}

static int
archived(const cJSON *ch)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(ch, "thread_metadata"), "archived"));
}

static void
modify_channel(struct fakecord *fc, struct fc_http *h, cJSON *w, cJSON *ch)
{
    cJSON *b = fc_body_json(fc, h), *v;
    cJSON *meta = cJSON_GetObjectItemCaseSensitive(ch, "thread_metadata");

    if (!fc_world_allowed(h, w,
                          meta ? FC_P_MANAGE_THREADS : FC_P_MANAGE_CHANNEL)) {
        cJSON_Delete(b);
        return;
    }
    if (!cJSON_IsObject(b)) {
        cJSON_Delete(b);
        fc_http_error(h, 400, 50109, "The request body contains invalid JSON.");
        return;
    }
    cJSON_ArrayForEach(v, b) {
        cJSON *dst = ch;

        if (!strcmp(v->string, "archived") || !strcmp(v->string, "locked")) {
            if (!meta) {
                cJSON_Delete(b);
                fc_http_error(h, 400, 50035, "Invalid Form Body");
                return;
            }
            dst = meta;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(dst, v->string);
        cJSON_AddItemToObject(dst, v->string, cJSON_Duplicate(v, 1));
    }
    cJSON_Delete(b);
    fc_http_reply_json(h, 200, cJSON_Duplicate(ch, 1));
}

static void
webhook_create(struct fakecord *fc, struct fc_http *h, cJSON *w,
               const cJSON *ch)
{
    cJSON *b = fc_body_json(fc, h), *hook;
    const cJSON *name = b ? cJSON_GetObjectItemCaseSensitive(b, "name") : NULL;
    long n = cJSON_IsString(name) ? chars_of(name->valuestring) : 0;
    char buf[32], tok[48];

    if (!fc_world_allowed(h, w, FC_P_MANAGE_HOOKS)) {
        cJSON_Delete(b);
        return;
    }
    if (n < 1 || n > 80 || strcasestr(name->valuestring, "clyde") ||
        strcasestr(name->valuestring, "discord")) {
        cJSON_Delete(b);
        fc_http_error(h, 400, 50035, "Invalid Form Body");
        return;
    }
    hook = cJSON_CreateObject();
    fc_str_of(buf, sizeof buf, fc_snowflake(fc));
    snprintf(tok, sizeof tok, "hooktoken%s", buf);
    cJSON_AddStringToObject(hook, "id", buf);
    cJSON_AddNumberToObject(hook, "type", 1);
    cJSON_AddStringToObject(hook, "token", tok);
    cJSON_AddStringToObject(hook, "name", name->valuestring);
    cJSON_AddItemToObject(
        hook, "channel_id",
        cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(ch, "id"), 1));
    cJSON_AddItemToObject(
        hook, "guild_id",
        cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(ch, "guild_id"), 1));
    cJSON_AddItemToObject(cJSON_GetObjectItemCaseSensitive(w, "webhooks"), buf,
                          cJSON_Duplicate(hook, 1));
    cJSON_Delete(b);
    fc_http_reply_json(h, 200, hook);
}

static void
message_route(struct fakecord *fc, struct fc_http *h, cJSON *w, const char *cid,
              const char *mid)
{
    const cJSON *m = fc_world_message(fc, w, cid, mid);
    const cJSON *author;

    if (!m) {
        fc_http_error(h, 404, 10008, "Unknown Message");
        return;
    }
    author = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(m, "author"), "id");
    if (is(h, "GET")) {
        fc_http_reply_json(h, 200, cJSON_Duplicate(m, 1));
    } else if (is(h, "DELETE")) {
        if (strcmp(author->valuestring, FAKECORD_APP_ID) &&
            !fc_world_allowed(h, w, FC_P_MANAGE_MSGS))
            return;
        cJSON_AddTrueToObject(cJSON_GetObjectItemCaseSensitive(w, "deleted"),
                              mid);
        fc_http_reply(h, 204, NULL);
    } else if (is(h, "PATCH")) {
        cJSON *b = fc_body_json(fc, h);

        if (strcmp(author->valuestring, FAKECORD_APP_ID)) {
            cJSON_Delete(b);
            fc_http_error(h, 403, 50005,
                          "Cannot edit a message authored by another user");
            return;
        }
        if (!cJSON_IsObject(b) || !fc_limits_ok(fc, h, b, FC_BODY_MESSAGE)) {
            if (!cJSON_IsObject(b))
                fc_http_error(h, 400, 50109,
                              "The request body contains invalid JSON.");
            cJSON_Delete(b);
            return;
        }
        fc_http_reply_json(
            h, 200, fc_message_object(strtoull(mid, NULL, 10), cid, b, 0));
        cJSON_Delete(b);
    } else {
        fc_http_error(h, 405, 0, "405: Method Not Allowed");
    }
}

int
fc_world_channel_route(struct fakecord *fc, struct fc_http *h,
                       const struct fc_route *r)
{
    cJSON *ch, *w;
    const char *cid;

    if (r->n < 2 || !fc_route_is(r, 0, "channels"))
        return 0;
    cid = r->seg[1];
    w = fc_world_channel(fc, cid, &ch);
    if (!w) {
        /* Channels the fake does not model keep the permissive answers of
         * fake_routes.c (older tests use made-up ids), except the routes
         * that only exist on modelled channels. */
        if ((r->n >= 3 &&
             (fc_route_is(r, 2, "threads") || fc_route_is(r, 2, "webhooks") ||
              fc_route_is(r, 2, "thread-members"))) ||
            (r->n >= 4 && fc_route_is(r, 2, "messages") &&
             (fc_route_is(r, 3, "bulk-delete") || fc_route_is(r, 3, "pins")))) {
            fc_http_error(h, 404, 10003, "Unknown Channel");
            return 1;
        }
        return 0;
    }
    if (r->n == 2 && is(h, "GET")) {
        fc_http_reply_json(h, 200, cJSON_Duplicate(ch, 1));
    } else if (r->n == 2 && is(h, "PATCH")) {
        modify_channel(fc, h, w, ch);
    } else if (r->n == 4 && fc_route_is(r, 2, "messages") &&
               fc_route_is(r, 3, "bulk-delete") && is(h, "POST")) {
        bulk_delete(fc, h, w, cid);
    } else if (r->n == 5 && fc_route_is(r, 2, "messages") &&
               fc_route_is(r, 3, "pins") && (is(h, "PUT") || is(h, "DELETE"))) {
        if (!fc_world_allowed(h, w, FC_P_PIN))
            return 1;
        if (!fc_world_message(fc, w, cid, r->seg[4])) {
            fc_http_error(h, 404, 10008, "Unknown Message");
            return 1;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(w, "pins"), r->seg[4]);
        if (is(h, "PUT"))
            cJSON_AddTrueToObject(cJSON_GetObjectItemCaseSensitive(w, "pins"),
                                  r->seg[4]);
        fc_http_reply(h, 204, NULL);
    } else if (r->n == 4 && fc_route_is(r, 2, "messages")) {
        message_route(fc, h, w, cid, r->seg[3]);
    } else if (r->n == 3 && fc_route_is(r, 2, "threads") && is(h, "POST")) {
        thread_create(fc, h, w, ch, NULL);
    } else if (r->n == 5 && fc_route_is(r, 2, "messages") &&
               fc_route_is(r, 4, "threads") && is(h, "POST")) {
        if (!fc_world_message(fc, w, cid, r->seg[3]))
            fc_http_error(h, 404, 10008, "Unknown Message");
        else
            thread_create(fc, h, w, ch, r->seg[3]);
    } else if (r->n == 4 && fc_route_is(r, 2, "thread-members") &&
               fc_route_is(r, 3, "@me") && is(h, "PUT")) {
        if (!cJSON_GetObjectItemCaseSensitive(ch, "thread_metadata"))
            fc_http_error(h, 400, 50024,
                          "Cannot execute action on this channel type");
        else if (archived(ch))
            fc_http_error(h, 400, 50083, "Thread is archived");
        else
            fc_http_reply(h, 204, NULL);
    } else if (r->n == 3 && fc_route_is(r, 2, "webhooks") && is(h, "POST")) {
        webhook_create(fc, h, w, ch);
    } else {
        return 0; /* the generic channel routes (create, typing, reactions) */
    }
    return 1;
}

/* POST /webhooks/{id}/{token}[?wait=true] for webhooks the bot created. */
int
fc_world_webhook_route(struct fakecord *fc, struct fc_http *h,
                       const struct fc_route *r)
{
    cJSON *w, *hook = NULL, *b, *m;
    const cJSON *tok, *cid;
    char buf[32];

    if (r->n != 3 || !fc_route_is(r, 0, "webhooks") || !fc->world ||
        !strcmp(r->seg[1], FAKECORD_APP_ID))
        return 0;
    cJSON_ArrayForEach(w, fc->world) {
        hook = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(w, "webhooks"), r->seg[1]);
        if (hook)
            break;
    }
    if (!hook) {
        fc_http_error(h, 404, 10015, "Unknown Webhook");
        return 1;
    }
    tok = cJSON_GetObjectItemCaseSensitive(hook, "token");
    if (strcmp(tok->valuestring, r->seg[2])) {
        fc_http_error(h, 401, 50027, "Invalid Webhook Token");
        return 1;
    }
    if (!is(h, "POST")) {
        fc_http_error(h, 405, 0, "405: Method Not Allowed");
        return 1;
    }
    b = fc_body_json(fc, h);
    if (!fc_message_body_ok(h, b) || !fc_limits_ok(fc, h, b, FC_BODY_MESSAGE)) {
        cJSON_Delete(b);
        return 1;
    }
    cid = cJSON_GetObjectItemCaseSensitive(hook, "channel_id");
    m = fc_message_object(fc_snowflake(fc), cid->valuestring, b, 0);
    cJSON_ReplaceItemInObjectCaseSensitive(m, "author", cJSON_CreateObject());
    cJSON_AddStringToObject(
        cJSON_GetObjectItemCaseSensitive(m, "author"), "id",
        fc_str_of(buf, sizeof buf, strtoull(r->seg[1], NULL, 10)));
    cJSON_AddStringToObject(m, "webhook_id", r->seg[1]);
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(w, "seeded"),
                         cJSON_Duplicate(m, 1));
    cJSON_Delete(b);
    if (strstr(h->query, "wait=true"))
        fc_http_reply_json(h, 200, m);
    else {
        cJSON_Delete(m);
        fc_http_reply(h, 204, NULL);
    }
    return 1;
}
