/*
 * api_cache.c: <dbot/cache.h>, the cache's public entry points: they find
 * the cache through the bot, check the thread and that the kind is on,
 * and read it (cache_lookup.c); dbot_cache_request_members sends op 8 on
 * the guild's shard through dbot_shard_send.
 */
#include "bot.h"

#include "cache.h"

#include <dbot/cache.h>
#include <dbot/shard.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#define NONCE_MAX 32 /* bytes, Discord's limit for op 8 */

/* The cache if `kind` is on (-1: any), else an error in *rc. */
static const struct dbot__cache *
cache_for(dbot *bot, const void *out, int kind, int *rc)
{
    const struct dbot__cache *c;

    *rc = DBOT_EINVAL;
    if (!bot || !out)
        return NULL;
    *rc = DBOT_EWRONGTHREAD;
    if (!dbot__on_loop_thread(bot))
        return NULL;
    *rc = DBOT_ESTATE;
    c = dbot__bot_cache(bot);
    if (!c || (kind >= 0 && !dbot__cache_has(c, kind)))
        return NULL;
    return c;
}

int
dbot_cache_guild(dbot *bot, uint64_t guild_id, dbot_cached_guild *out)
{
    int rc;
    const struct dbot__cache *c = cache_for(bot, out, DBOT__CK_GUILDS, &rc);

    return c ? dbot__cache_guild(c, guild_id, out) : rc;
}

int
dbot_cache_channel(dbot *bot, uint64_t channel_id, dbot_cached_channel *out)
{
    int rc;
    const struct dbot__cache *c = cache_for(bot, out, -1, &rc);

    if (c && !dbot__cache_has(c, DBOT__CK_CHANNELS) &&
        !dbot__cache_has(c, DBOT__CK_THREADS))
        return DBOT_ESTATE;
    return c ? dbot__cache_channel(c, channel_id, out) : rc;
}

int
dbot_cache_role(dbot *bot, uint64_t role_id, dbot_cached_role *out)
{
    int rc;
    const struct dbot__cache *c = cache_for(bot, out, DBOT__CK_ROLES, &rc);

    return c ? dbot__cache_role(c, role_id, out) : rc;
}

int
dbot_cache_user(dbot *bot, uint64_t user_id, dbot_cached_user *out)
{
    int rc;
    const struct dbot__cache *c = cache_for(bot, out, DBOT__CK_USERS, &rc);

    return c ? dbot__cache_user(c, user_id, out) : rc;
}

int
dbot_cache_emoji(dbot *bot, uint64_t emoji_id, dbot_cached_emoji *out)
{
    int rc;
    const struct dbot__cache *c = cache_for(bot, out, DBOT__CK_EMOJIS, &rc);

    return c ? dbot__cache_emoji(c, emoji_id, out) : rc;
}

int
dbot_cache_member(dbot *bot, uint64_t guild_id, uint64_t user_id,
                  dbot_cached_member *out)
{
    int rc;
    const struct dbot__cache *c = cache_for(bot, out, DBOT__CK_MEMBERS, &rc);

    return c ? dbot__cache_member(c, guild_id, user_id, out) : rc;
}

int
dbot_cache_voice_state(dbot *bot, uint64_t guild_id, uint64_t user_id,
                       dbot_cached_voice_state *out)
{
    int rc;
    const struct dbot__cache *c = cache_for(bot, out, DBOT__CK_VOICE, &rc);

    return c ? dbot__cache_voice_state(c, guild_id, user_id, out) : rc;
}

int
dbot_cache_presence(dbot *bot, uint64_t guild_id, uint64_t user_id,
                    dbot_cached_presence *out)
{
    int rc;
    const struct dbot__cache *c = cache_for(bot, out, DBOT__CK_PRESENCES, &rc);

    return c ? dbot__cache_presence(c, guild_id, user_id, out) : rc;
}

int
dbot_cache_channel_guild(dbot *bot, uint64_t channel_id, uint64_t *guild_id)
{
    dbot_cached_channel ch;
    int rc = dbot_cache_channel(bot, channel_id, guild_id ? &ch : NULL);

    if (rc == 1)
        *guild_id = ch.guild_id;
    return rc;
}

int
dbot_cache_message(dbot *bot, uint64_t channel_id, uint64_t message_id,
                   dbot_cached_message *out)
{
    int rc;
    const struct dbot__cache *c = cache_for(bot, out, DBOT__CK_MESSAGES, &rc);

    return c ? dbot__cache_message(c, channel_id, message_id, out) : rc;
}

int
dbot_cache_permissions(dbot *bot, uint64_t guild_id, uint64_t channel_id,
                       uint64_t user_id, uint64_t *perms)
{
    int rc;
    const struct dbot__cache *c = cache_for(bot, perms, DBOT__CK_MEMBERS, &rc);

    if (c && !dbot__cache_has(c, DBOT__CK_ROLES))
        return DBOT_ESTATE;
    return c ? dbot__cache_permissions(c, guild_id, channel_id, user_id,
                                       (int64_t)time(NULL), perms)
             : rc;
}

int
dbot_cache_request_members(dbot *bot, uint64_t guild_id, const char *query,
                           int limit, int presences, const char *nonce)
{
    char id[24];
    cJSON *d;
    int rc;

    if (!bot || !guild_id || !query || limit < 0 || limit > 100 ||
        (nonce && strlen(nonce) > NONCE_MAX) || (limit == 0 && *query))
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    snprintf(id, sizeof id, "%llu", (unsigned long long)guild_id);
    d = cJSON_CreateObject();
    if (!d || !cJSON_AddStringToObject(d, "guild_id", id) ||
        !cJSON_AddStringToObject(d, "query", query) ||
        !cJSON_AddNumberToObject(d, "limit", limit) ||
        (presences && !cJSON_AddTrueToObject(d, "presences")) ||
        (nonce && !cJSON_AddStringToObject(d, "nonce", nonce))) {
        cJSON_Delete(d);
        return DBOT_ENOMEM;
    }
    rc = dbot_shard_send(bot, dbot_shard_of_guild(bot, guild_id), 8, d);
    cJSON_Delete(d);
    return rc;
}
