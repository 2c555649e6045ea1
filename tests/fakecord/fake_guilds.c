/*
 * fake_guilds.c: the fake's guild data (see fake_guilds.h).
 */
#include "fake_guilds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define GUILD_ID_BASE 400000000000ULL /* ms after the Discord epoch */

uint64_t
fc_guild_id(int k)
{
    return (GUILD_ID_BASE + (uint64_t)k) << 22;
}

int
fc_guild_on_shard(int k, int shard, int num_shards)
{
    return (int)((fc_guild_id(k) >> 22) % (uint64_t)num_shards) == shard;
}

static cJSON *
user_object(const char *id, const char *name, int bot)
{
    cJSON *u = cJSON_CreateObject();

    cJSON_AddStringToObject(u, "id", id);
    cJSON_AddStringToObject(u, "username", name);
    cJSON_AddStringToObject(u, "discriminator", "0");
    cJSON_AddNullToObject(u, "global_name");
    cJSON_AddNullToObject(u, "avatar");
    cJSON_AddBoolToObject(u, "bot", bot);
    return u;
}

/* Member i of every guild; i = -1 is the bot. */
static cJSON *
member_object(int i)
{
    char uid[32], uname[32];
    cJSON *m;

    if (i < 0) {
        snprintf(uid, sizeof uid, "%s", FAKECORD_APP_ID);
        snprintf(uname, sizeof uname, "%s", FAKECORD_BOT_USERNAME);
    } else {
        snprintf(uid, sizeof uid, "%llu",
                 (unsigned long long)(1200000000000000000ULL + (unsigned)i));
        snprintf(uname, sizeof uname, "user%d", i);
    }
    m = cJSON_CreateObject();
    cJSON_AddItemToObject(m, "user", user_object(uid, uname, i < 0));
    cJSON_AddArrayToObject(m, "roles");
    cJSON_AddStringToObject(m, "joined_at", "2026-01-01T00:00:00.000000+00:00");
    cJSON_AddBoolToObject(m, "deaf", 0);
    cJSON_AddBoolToObject(m, "mute", 0);
    return m;
}

char *
fc_guilds_ready(struct fakecord *fc, struct fc_session *s, int sent_shard)
{
    cJSON *d = cJSON_CreateObject(), *guilds, *app, *u;
    char id[32];
    char *out;

    cJSON_AddNumberToObject(d, "v", 10);
    u = user_object(FAKECORD_APP_ID, FAKECORD_BOT_USERNAME, 1);
    cJSON_AddBoolToObject(u, "verified", 1);
    cJSON_AddBoolToObject(u, "mfa_enabled", 0);
    cJSON_AddNumberToObject(u, "flags", 0);
    cJSON_AddItemToObject(d, "user", u);
    guilds = cJSON_AddArrayToObject(d, "guilds");
    for (int k = 0; k < fc->o.guilds; k++) {
        cJSON *g;

        if (!fc_guild_on_shard(k, s->shard, s->num_shards))
            continue;
        g = cJSON_CreateObject();
        snprintf(id, sizeof id, "%llu", (unsigned long long)fc_guild_id(k));
        cJSON_AddStringToObject(g, "id", id);
        cJSON_AddBoolToObject(g, "unavailable", 1);
        cJSON_AddItemToArray(guilds, g);
    }
    cJSON_AddStringToObject(d, "session_id", s->id);
    cJSON_AddStringToObject(d, "session_type", "normal");
    cJSON_AddStringToObject(d, "resume_gateway_url", fc->resume_url);
    if (sent_shard) {
        cJSON *sh = cJSON_AddArrayToObject(d, "shard");
        cJSON_AddItemToArray(sh, cJSON_CreateNumber(s->shard));
        cJSON_AddItemToArray(sh, cJSON_CreateNumber(s->num_shards));
    }
    app = cJSON_AddObjectToObject(d, "application");
    cJSON_AddStringToObject(app, "id", FAKECORD_APP_ID);
    cJSON_AddNumberToObject(app, "flags", 0);
    cJSON_AddArrayToObject(d, "private_channels");
    cJSON_AddArrayToObject(d, "presences");
    cJSON_AddArrayToObject(d, "relationships");
    cJSON_AddArrayToObject(d, "guild_join_requests");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(d, "_trace"),
                         cJSON_CreateString("fakecord"));
    out = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    return out;
}

char *
fc_guilds_create(struct fakecord *fc, int k)
{
    cJSON *g = cJSON_CreateObject(), *arr, *ch, *role;
    char id[32], cid[32], name[32];
    char *out;
    uint64_t gid = fc_guild_id(k);

    snprintf(id, sizeof id, "%llu", (unsigned long long)gid);
    snprintf(cid, sizeof cid, "%llu", (unsigned long long)gid + 1);
    snprintf(name, sizeof name, "Fake Guild %d", k);
    cJSON_AddStringToObject(g, "id", id);
    cJSON_AddStringToObject(g, "name", name);
    cJSON_AddNullToObject(g, "icon");
    cJSON_AddStringToObject(g, "owner_id", "1100000000000000002");
    cJSON_AddStringToObject(g, "joined_at", "2026-01-01T00:00:00.000000+00:00");
    cJSON_AddBoolToObject(g, "large", fc->o.guild_members > 250);
    cJSON_AddBoolToObject(g, "unavailable", 0);
    cJSON_AddNumberToObject(g, "member_count", fc->o.guild_members + 1);
    cJSON_AddStringToObject(g, "preferred_locale", "en-US");
    cJSON_AddArrayToObject(g, "features");
    cJSON_AddArrayToObject(g, "emojis");
    cJSON_AddArrayToObject(g, "stickers");
    arr = cJSON_AddArrayToObject(g, "roles");
    role = cJSON_CreateObject();
    cJSON_AddStringToObject(role, "id", id);
    cJSON_AddStringToObject(role, "name", "@everyone");
    cJSON_AddStringToObject(role, "permissions", "2248473465835073");
    cJSON_AddNumberToObject(role, "position", 0);
    cJSON_AddItemToArray(arr, role);
    arr = cJSON_AddArrayToObject(g, "channels");
    ch = cJSON_CreateObject();
    cJSON_AddStringToObject(ch, "id", cid);
    cJSON_AddNumberToObject(ch, "type", 0);
    cJSON_AddStringToObject(ch, "name", "general");
    cJSON_AddNumberToObject(ch, "position", 0);
    cJSON_AddItemToArray(arr, ch);
    arr = cJSON_AddArrayToObject(g, "members");
    for (int i = -1; i < fc->o.guild_members; i++)
        cJSON_AddItemToArray(arr, member_object(i));
    cJSON_AddArrayToObject(g, "voice_states");
    cJSON_AddArrayToObject(g, "threads");
    cJSON_AddArrayToObject(g, "presences");
    cJSON_AddArrayToObject(g, "stage_instances");
    cJSON_AddArrayToObject(g, "guild_scheduled_events");
    cJSON_AddArrayToObject(g, "soundboard_sounds");
    out = cJSON_PrintUnformatted(g);
    cJSON_Delete(g);
    return out;
}

int
fc_guild_index(const struct fakecord *fc, const char *id)
{
    uint64_t v = strtoull(id, NULL, 10);
    uint64_t k = (v >> 22) - GUILD_ID_BASE;

    if ((v & ((1ULL << 22) - 1)) || (v >> 22) < GUILD_ID_BASE ||
        k >= (uint64_t)fc->o.guilds)
        return -1;
    return (int)k;
}

/* Member indices (-1 = bot .. guild_members-1) matching op 8's d. */
static int
member_matches(int i, const char *query, const cJSON *ids)
{
    char uid[32], uname[32];
    const cJSON *e;

    if (i < 0) {
        snprintf(uid, sizeof uid, "%s", FAKECORD_APP_ID);
        snprintf(uname, sizeof uname, "%s", FAKECORD_BOT_USERNAME);
    } else {
        snprintf(uid, sizeof uid, "%llu",
                 (unsigned long long)(1200000000000000000ULL + (unsigned)i));
        snprintf(uname, sizeof uname, "user%d", i);
    }
    if (ids) {
        cJSON_ArrayForEach(e, ids) {
            if (cJSON_IsString(e) && !strcmp(e->valuestring, uid))
                return 1;
        }
        return 0;
    }
    return !strncasecmp(uname, query, strlen(query));
}

static int
id_known(const struct fakecord *fc, const char *id)
{
    uint64_t v = strtoull(id, NULL, 10);

    if (!strcmp(id, FAKECORD_APP_ID))
        return 1;
    return v >= 1200000000000000000ULL &&
           v < 1200000000000000000ULL + (uint64_t)fc->o.guild_members;
}

int
fc_guilds_member_chunks(struct fakecord *fc, int k, const cJSON *d, char ***out)
{
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(d, "query");
    const cJSON *lim = cJSON_GetObjectItemCaseSensitive(d, "limit");
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(d, "user_ids");
    const cJSON *nonce = cJSON_GetObjectItemCaseSensitive(d, "nonce");
    const char *query = cJSON_IsString(q) ? q->valuestring : "";
    int limit = cJSON_IsNumber(lim) ? lim->valueint : 0;
    int total = fc->o.guild_members + 1, matched = 0, nchunks, c;
    cJSON *chunks[64], *members = NULL;
    char gid[32], **texts;

    if (!cJSON_IsArray(ids))
        ids = NULL;
    if (ids || *query)
        limit = limit > 0 && limit < 100 ? limit : 100; /* §1.9 */
    else if (limit <= 0)
        limit = total;
    snprintf(gid, sizeof gid, "%llu", (unsigned long long)fc_guild_id(k));
    nchunks = 0;
    for (int i = -1; i < fc->o.guild_members && matched < limit; i++) {
        if (!member_matches(i, query, ids))
            continue;
        if (matched % 1000 == 0) {
            if (nchunks == 64)
                break;
            chunks[nchunks] = cJSON_CreateObject();
            members = cJSON_AddArrayToObject(chunks[nchunks], "members");
            nchunks++;
        }
        cJSON_AddItemToArray(members, member_object(i));
        matched++;
    }
    if (nchunks == 0) {
        chunks[0] = cJSON_CreateObject();
        cJSON_AddArrayToObject(chunks[0], "members");
        nchunks = 1;
    }
    texts = calloc((size_t)nchunks, sizeof *texts);
    if (!texts) {
        for (c = 0; c < nchunks; c++)
            cJSON_Delete(chunks[c]);
        return -1;
    }
    for (c = 0; c < nchunks; c++) {
        cJSON *ch = chunks[c];

        cJSON_AddStringToObject(ch, "guild_id", gid);
        cJSON_AddNumberToObject(ch, "chunk_index", c);
        cJSON_AddNumberToObject(ch, "chunk_count", nchunks);
        if (ids && c == nchunks - 1) {
            cJSON *nf = cJSON_AddArrayToObject(ch, "not_found");
            const cJSON *e;

            cJSON_ArrayForEach(e, ids) {
                if (cJSON_IsString(e) && !id_known(fc, e->valuestring))
                    cJSON_AddItemToArray(nf,
                                         cJSON_CreateString(e->valuestring));
            }
        }
        if (cJSON_IsString(nonce))
            cJSON_AddStringToObject(ch, "nonce", nonce->valuestring);
        texts[c] = cJSON_PrintUnformatted(ch);
        cJSON_Delete(ch);
    }
    *out = texts;
    return nchunks;
}
