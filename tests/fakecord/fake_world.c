/*
 * fake_world.c: the fake's guild model (fake_world.h). Permissions are
 * computed here independently of dbot's permissions.c (which the tests
 * check against this), and only at guild level: the fake's channels have
 * no overwrites.
 */
#include "fake_world.h"
#include "fake_guilds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OWNER_ID  "1100000000000000002"
#define ALL_PERMS ((1ULL << 53) - 1)

static cJSON *
role(uint64_t id, const char *name, int pos, uint64_t perms)
{
    cJSON *r = cJSON_CreateObject();
    char buf[32];

    cJSON_AddStringToObject(r, "id", fc_str_of(buf, sizeof buf, id));
    cJSON_AddStringToObject(r, "name", name);
    cJSON_AddNumberToObject(r, "position", pos);
    cJSON_AddStringToObject(r, "permissions",
                            fc_str_of(buf, sizeof buf, perms));
    cJSON_AddBoolToObject(r, "managed", 0);
    cJSON_AddBoolToObject(r, "mentionable", 0);
    cJSON_AddBoolToObject(r, "hoist", 0);
    cJSON_AddNumberToObject(r, "flags", 0);
    return r;
}

static cJSON *
member(const char *uid, const char *name, int bot, uint64_t role_id)
{
    cJSON *m = cJSON_CreateObject(), *u = cJSON_CreateObject(), *roles;
    char buf[32];

    cJSON_AddStringToObject(u, "id", uid);
    cJSON_AddStringToObject(u, "username", name);
    cJSON_AddStringToObject(u, "discriminator", "0");
    cJSON_AddBoolToObject(u, "bot", bot);
    cJSON_AddItemToObject(m, "user", u);
    roles = cJSON_AddArrayToObject(m, "roles");
    if (role_id)
        cJSON_AddItemToArray(
            roles, cJSON_CreateString(fc_str_of(buf, sizeof buf, role_id)));
    cJSON_AddStringToObject(m, "joined_at", "2026-01-01T00:00:00.000000+00:00");
    cJSON_AddNullToObject(m, "communication_disabled_until");
    cJSON_AddBoolToObject(m, "deaf", 0);
    cJSON_AddBoolToObject(m, "mute", 0);
    return m;
}

static cJSON *
build(struct fakecord *fc, uint64_t gid, uint64_t cid_v, const char *gname)
{
    cJSON *w = cJSON_CreateObject(), *g, *roles, *members, *chans, *ch;
    char id[32], cid[32], name[32], uid[32];
    int n = fc->o.guild_members > 8 ? fc->o.guild_members : 8;

    fc_str_of(id, sizeof id, gid);
    fc_str_of(cid, sizeof cid, cid_v);
    g = cJSON_AddObjectToObject(w, "guild");
    cJSON_AddStringToObject(g, "id", id);
    cJSON_AddStringToObject(g, "name", gname);
    cJSON_AddStringToObject(g, "owner_id", OWNER_ID);
    roles = cJSON_AddArrayToObject(g, "roles");
    cJSON_AddItemToArray(roles, role(gid, "@everyone", 0, 2248473465835073ULL));
    cJSON_AddItemToArray(roles, role(gid + 5, "member", 1, 0));
    cJSON_AddItemToArray(roles, role(gid + 10, "bot", 5, FC_BOT_DEFAULT_PERMS));
    cJSON_AddItemToArray(roles, role(gid + 20, "admin", 10, FC_P_ADMIN));
    members = cJSON_AddArrayToObject(w, "members");
    cJSON_AddItemToArray(
        members, member(FAKECORD_APP_ID, FAKECORD_BOT_USERNAME, 1, gid + 10));
    for (int i = 0; i < n; i++) {
        snprintf(uid, sizeof uid, "%llu",
                 (unsigned long long)(1200000000000000000ULL + (unsigned)i));
        snprintf(name, sizeof name, "user%d", i);
        cJSON_AddItemToArray(members, member(uid, name, 0,
                                             i == 0   ? gid + 5
                                             : i == 1 ? gid + 20
                                                      : 0));
    }
    cJSON_AddObjectToObject(w, "bans");
    chans = cJSON_AddObjectToObject(w, "channels");
    ch = cJSON_CreateObject();
    cJSON_AddStringToObject(ch, "id", cid);
    cJSON_AddNumberToObject(ch, "type", 0);
    cJSON_AddStringToObject(ch, "guild_id", id);
    cJSON_AddStringToObject(ch, "name", "general");
    cJSON_AddArrayToObject(ch, "permission_overwrites");
    cJSON_AddItemToObject(chans, cid, ch);
    cJSON_AddArrayToObject(w, "seeded"); /* messages not made by the bot */
    cJSON_AddObjectToObject(w, "deleted");
    cJSON_AddObjectToObject(w, "pins");
    cJSON_AddObjectToObject(w, "webhooks");
    return w;
}

cJSON *
fc_world_guild(struct fakecord *fc, const char *gid)
{
    cJSON *w;
    char name[32];
    int k;

    if (!fc->world && !(fc->world = cJSON_CreateObject()))
        return NULL;
    w = cJSON_GetObjectItemCaseSensitive(fc->world, gid);
    if (w)
        return w;
    k = fc_guild_index(fc, gid);
    if (k < 0)
        return NULL;
    snprintf(name, sizeof name, "Fake Guild %d", k);
    w = build(fc, fc_guild_id(k), fc_guild_id(k) + 1, name);
    cJSON_AddItemToObject(fc->world, gid, w);
    return w;
}

cJSON *
fc_world_channel(struct fakecord *fc, const char *cid, cJSON **chan)
{
    char gid[32];
    cJSON *w;

    if (!fc->world && !(fc->world = cJSON_CreateObject()))
        return NULL;

    /* The text channel of guild G is G + 1. */
    fc_str_of(gid, sizeof gid, strtoull(cid, NULL, 10) - 1);
    w = fc_world_guild(fc, gid);
    if (w) {
        *chan = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(w, "channels"), cid);
        if (*chan)
            return w;
    }
    /* A thread: in whichever built guild made it. */
    cJSON_ArrayForEach(w, fc->world) {
        *chan = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(w, "channels"), cid);
        if (*chan)
            return w;
    }
    *chan = NULL;
    return NULL;
}

static uint64_t
num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

    return cJSON_IsString(v) ? strtoull(v->valuestring, NULL, 10) : 0;
}

cJSON *
fc_world_role(const cJSON *g, const char *rid)
{
    cJSON *r;

    cJSON_ArrayForEach(
        r, cJSON_GetObjectItemCaseSensitive(
               cJSON_GetObjectItemCaseSensitive(g, "guild"), "roles")) {
        if (!strcmp(cJSON_GetObjectItemCaseSensitive(r, "id")->valuestring,
                    rid))
            return r;
    }
    return NULL;
}

cJSON *
fc_world_member(const cJSON *g, const char *uid)
{
    cJSON *m;

    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(g, "members")) {
        if (!strcmp(cJSON_GetObjectItemCaseSensitive(
                        cJSON_GetObjectItemCaseSensitive(m, "user"), "id")
                        ->valuestring,
                    uid))
            return m;
    }
    return NULL;
}

int
fc_world_top(const cJSON *g, const cJSON *m)
{
    const cJSON *rid;
    int top = 0;

    cJSON_ArrayForEach(rid, cJSON_GetObjectItemCaseSensitive(m, "roles")) {
        const cJSON *r = fc_world_role(g, rid->valuestring);
        int p =
            r ? cJSON_GetObjectItemCaseSensitive(r, "position")->valueint : 0;

        if (p > top)
            top = p;
    }
    return top;
}

uint64_t
fc_world_bot_perms(const cJSON *g)
{
    const cJSON *gg = cJSON_GetObjectItemCaseSensitive(g, "guild");
    const cJSON *bot = fc_world_member(g, FAKECORD_APP_ID), *rid;
    const cJSON *everyone = fc_world_role(
        g, cJSON_GetObjectItemCaseSensitive(gg, "id")->valuestring);
    uint64_t p = num(everyone, "permissions");

    cJSON_ArrayForEach(rid, cJSON_GetObjectItemCaseSensitive(bot, "roles")) {
        const cJSON *r = fc_world_role(g, rid->valuestring);

        if (r)
            p |= num(r, "permissions");
    }
    return (p & FC_P_ADMIN) ? ALL_PERMS : p;
}

int
fc_world_allowed(struct fc_http *h, const cJSON *g, uint64_t need)
{
    if ((fc_world_bot_perms(g) & need) == need)
        return 1;
    fc_http_error(h, 403, 50013, "Missing Permissions");
    return 0;
}

static const cJSON *
find_in(const cJSON *arr, const char *cid, const char *mid)
{
    const cJSON *m;

    cJSON_ArrayForEach(m, arr) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(m, "channel_id");

        if (cJSON_IsString(id) && cJSON_IsString(c) &&
            !strcmp(id->valuestring, mid) && !strcmp(c->valuestring, cid))
            return m;
    }
    return NULL;
}

const cJSON *
fc_world_message(struct fakecord *fc, const cJSON *g, const char *cid,
                 const char *mid)
{
    const cJSON *m;

    if (cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(g, "deleted"), mid))
        return NULL;
    m = find_in(fc->messages, cid, mid);
    return m ? m
             : find_in(cJSON_GetObjectItemCaseSensitive(g, "seeded"), cid, mid);
}

static int
hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int
fc_world_reason_ok(struct fakecord *fc, struct fc_http *h)
{
    struct fakecord_request *rec = fc_http_record(fc, h);
    const char *s = rec && rec->audit_reason ? rec->audit_reason : "";
    long chars = 0;

    if (!*s)
        return 1;
    /* Percent-decode, counting code points (bytes that start one). */
    for (const char *p = s; *p; p++) {
        int c = (unsigned char)*p;

        if (c == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
            c = hexval(p[1]) * 16 + hexval(p[2]);
            p += 2;
        } else if (c >= 0x80) {
            fc_violation(fc, "rest: X-Audit-Log-Reason not URL-encoded");
            fc_http_error(h, 400, 50035, "Invalid Form Body");
            return 0;
        }
        chars += (c & 0xC0) != 0x80;
    }
    if (chars <= 512)
        return 1;
    fc_violation(fc, "rest: X-Audit-Log-Reason over 512 characters (%ld)",
                 chars);
    fc_http_error(h, 400, 50035, "Invalid Form Body");
    return 0;
}

/* ---- public scripting ---------------------------------------------------- */

int
fakecord_model_guild(fakecord *fc, const char *guild_id, const char *channel_id)
{
    cJSON *w;
    int rc = -1;

    if (!guild_id || !channel_id)
        return -1;
    pthread_mutex_lock(&fc->mu);
    if (!fc->world)
        fc->world = cJSON_CreateObject();
    if (fc->world && !cJSON_GetObjectItemCaseSensitive(fc->world, guild_id)) {
        w = build(fc, strtoull(guild_id, NULL, 10),
                  strtoull(channel_id, NULL, 10), "Sandbox");
        if (w && cJSON_AddItemToObject(fc->world, guild_id, w))
            rc = 0;
        else
            cJSON_Delete(w);
    }
    pthread_mutex_unlock(&fc->mu);
    return rc;
}

int
fakecord_guild_set_bot_permissions(fakecord *fc, const char *guild_id,
                                   uint64_t perms)
{
    char buf[32];
    cJSON *w, *r;
    int rc = -1;

    pthread_mutex_lock(&fc->mu);
    w = guild_id ? fc_world_guild(fc, guild_id) : NULL;
    if (w) {
        fc_str_of(buf, sizeof buf, strtoull(guild_id, NULL, 10) + 10);
        r = fc_world_role(w, buf);
        cJSON_ReplaceItemInObjectCaseSensitive(
            r, "permissions",
            cJSON_CreateString(fc_str_of(buf, sizeof buf, perms)));
        rc = 0;
    }
    pthread_mutex_unlock(&fc->mu);
    return rc;
}

int
fakecord_seed_message(fakecord *fc, const char *channel_id, uint64_t id,
                      const char *author_id)
{
    cJSON *w, *ch, *m, *author;
    int rc = -1;

    pthread_mutex_lock(&fc->mu);
    w = channel_id ? fc_world_channel(fc, channel_id, &ch) : NULL;
    if (w && author_id) {
        m = fc_message_object(id, channel_id, NULL, 0);
        author = cJSON_GetObjectItemCaseSensitive(m, "author");
        cJSON_ReplaceItemInObjectCaseSensitive(author, "id",
                                               cJSON_CreateString(author_id));
        cJSON_ReplaceItemInObjectCaseSensitive(author, "bot",
                                               cJSON_CreateFalse());
        cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(w, "seeded"), m);
        rc = 0;
    }
    pthread_mutex_unlock(&fc->mu);
    return rc;
}

cJSON *
fakecord_guild_state(fakecord *fc, const char *guild_id)
{
    cJSON *w, *r = NULL;

    pthread_mutex_lock(&fc->mu);
    w = guild_id ? fc_world_guild(fc, guild_id) : NULL;
    if (w)
        r = cJSON_Duplicate(w, 1);
    pthread_mutex_unlock(&fc->mu);
    return r;
}
