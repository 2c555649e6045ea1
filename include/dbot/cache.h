/*
 * dbot/cache.h: what the gateway already told the bot, kept so a handler
 * can ask "what is this channel's name, which roles has this member, may
 * they send messages here" without a REST call.
 *
 * OPT-IN. The cache is off unless the config has "cache" (true, or an
 * object of per-kind bounds; README "The cache"). Each kind (guilds,
 * channels, threads, roles, members, users, emojis, voice states,
 * presences, messages) has its own bound; a kind that is off answers
 * DBOT_ESTATE, and an entry past its kind's bound is not kept (counted in
 * /metrics as dropped). Messages are kept per channel, the newest N.
 *
 * CONSISTENCY. Every dispatch updates the cache before any dbot_on()
 * handler sees it, so a handler's view matches the events delivered so
 * far. A fresh READY on a shard drops that shard's guilds (a re-identify
 * must not keep stale entries); a resume's replay changes nothing twice.
 *
 * THREAD. Loop thread only (handlers, dbot_post() functions): the cache
 * is the loop's. Strings and arrays in the structs filled here are
 * borrowed until the cache next changes, that is until the handler (or
 * posted function) returns; copy what you keep.
 *
 * LOOKUPS return 1 (found, *out filled), 0 (not cached: unknown, or not
 * sent by Discord, or past a bound), or a negative error: DBOT_EINVAL
 * (bot or out NULL), DBOT_ESTATE (the cache, or that kind, is off),
 * DBOT_EWRONGTHREAD.
 */
#ifndef DBOT_CACHE_H
#define DBOT_CACHE_H

#include <dbot/dbot.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dbot_cached_guild {
    uint64_t id;
    const char *name; /* NULL while unavailable and never seen */
    const char *icon; /* hash, or NULL */
    uint64_t owner_id;
    int member_count; /* Discord's count, kept by MEMBER_ADD/REMOVE */
    int unavailable;  /* 1: an outage (or not yet sent after READY) */
    int large;
    int shard_id; /* the shard its events come on */
} dbot_cached_guild;

typedef struct dbot_cached_channel {
    uint64_t id;
    uint64_t guild_id;  /* 0: a DM */
    uint64_t parent_id; /* category, or a thread's channel; 0: none */
    uint64_t owner_id;  /* threads: who started it */
    const char *name;   /* NULL for DMs */
    const char *topic;
    int type; /* Discord's channel type: 0 text, 2 voice, 11 thread ... */
    int position;
    int nsfw;
    int rate_limit_per_user;
    int archived, locked; /* threads */
    int member_count;     /* threads: Discord's count (stops at 50) */
    int joined;           /* threads: the bot is a member */
} dbot_cached_channel;

typedef struct dbot_cached_role {
    uint64_t id; /* the guild's id for @everyone */
    uint64_t guild_id;
    uint64_t permissions;
    const char *name;
    uint32_t color;
    int position;
    int hoist, managed, mentionable;
} dbot_cached_role;

typedef struct dbot_cached_user {
    uint64_t id;
    const char *username;
    const char *global_name; /* NULL: none */
    char avatar[40];         /* hash ("a_..." when animated), "" none */
    int discriminator;       /* 0 for migrated users */
    int bot;
    uint32_t public_flags;
} dbot_cached_user;

typedef struct dbot_cached_member {
    uint64_t guild_id;
    dbot_cached_user user;    /* all zero if users are not cached */
    const char *nick;         /* NULL: none */
    const char *avatar;       /* the guild avatar hash, or NULL */
    const uint64_t *role_ids; /* sorted ascending, without @everyone */
    size_t nroles;
    int64_t joined_at;     /* Unix seconds, 0: unknown */
    int64_t timeout_until; /* Unix seconds, 0: none */
    int pending;
    uint32_t flags;
} dbot_cached_member;

typedef struct dbot_cached_message {
    uint64_t id, channel_id, guild_id, author_id;
    const char *content; /* "" without the MESSAGE_CONTENT intent */
    int type;
    uint32_t flags;
    int pinned;
    int edited; /* 1 once a MESSAGE_UPDATE changed it */
} dbot_cached_message;

typedef struct dbot_cached_voice_state {
    uint64_t guild_id, user_id, channel_id;
    int self_mute, self_deaf, mute, deaf, self_stream, self_video, suppress;
} dbot_cached_voice_state;

typedef struct dbot_cached_presence {
    uint64_t guild_id, user_id;
    const char *status;        /* "online", "idle", "dnd", "offline" */
    const char *activity_name; /* the first activity's, or NULL */
    int activity_type;         /* its type, -1: none */
} dbot_cached_presence;

typedef struct dbot_cached_emoji {
    uint64_t id, guild_id;
    const char *name;
    int animated, available, managed;
} dbot_cached_emoji;

/* Name: dbot_cache_guild, dbot_cache_channel, dbot_cache_role,
 *       dbot_cache_user, dbot_cache_emoji
 * Desc: look up a guild, a channel or thread (threads are found here too),
 *       a role, a user or an emoji by its id. Loop thread; see LOOKUPS and
 *       THREAD above for the result's lifetime.
 * Returns: 1 (found); 0 (not cached); DBOT_EINVAL; DBOT_ESTATE (the cache
 *       or that kind is off); DBOT_EWRONGTHREAD. */
DBOT_API int dbot_cache_guild(dbot *bot, uint64_t guild_id,
                              dbot_cached_guild *out);
DBOT_API int dbot_cache_channel(dbot *bot, uint64_t channel_id,
                                dbot_cached_channel *out);
DBOT_API int dbot_cache_role(dbot *bot, uint64_t role_id,
                             dbot_cached_role *out);
DBOT_API int dbot_cache_user(dbot *bot, uint64_t user_id,
                             dbot_cached_user *out);
DBOT_API int dbot_cache_emoji(dbot *bot, uint64_t emoji_id,
                              dbot_cached_emoji *out);

/* Name: dbot_cache_member, dbot_cache_voice_state, dbot_cache_presence
 * Desc: look up what a guild knows of one user: the member (with its
 *       user, when users are cached, and its sorted role ids: "a member's
 *       roles"), the user's voice state, or their presence. Loop thread;
 *       see LOOKUPS and THREAD above.
 * Returns: 1 (found); 0 (not cached); DBOT_EINVAL; DBOT_ESTATE (the cache
 *       or that kind is off); DBOT_EWRONGTHREAD. */
DBOT_API int dbot_cache_member(dbot *bot, uint64_t guild_id, uint64_t user_id,
                               dbot_cached_member *out);
DBOT_API int dbot_cache_voice_state(dbot *bot, uint64_t guild_id,
                                    uint64_t user_id,
                                    dbot_cached_voice_state *out);
DBOT_API int dbot_cache_presence(dbot *bot, uint64_t guild_id, uint64_t user_id,
                                 dbot_cached_presence *out);

/* Name: dbot_cache_channel_guild
 * Desc: the guild a channel or thread belongs to. Loop thread.
 * Returns: 1 (*guild_id set; 0 for a DM); 0 (channel not cached);
 *       DBOT_EINVAL; DBOT_ESTATE; DBOT_EWRONGTHREAD. */
DBOT_API int dbot_cache_channel_guild(dbot *bot, uint64_t channel_id,
                                      uint64_t *guild_id);

/* Name: dbot_cache_message
 * Desc: a message among the newest N of its channel (the "messages"
 *       bound). Loop thread; see THREAD above.
 * Returns: 1; 0 (not cached); DBOT_EINVAL; DBOT_ESTATE (messages off);
 *       DBOT_EWRONGTHREAD. */
DBOT_API int dbot_cache_message(dbot *bot, uint64_t channel_id,
                                uint64_t message_id, dbot_cached_message *out);

/* Name: dbot_cache_permissions
 * Desc: a member's effective permissions, from the cache, by Discord's
 *       algorithm (permissions.mdx "Permission Overwrites"): @everyone's
 *       and the member's roles' bits; the owner and ADMINISTRATOR get
 *       every bit; then the channel's overwrites (@everyone, the member's
 *       roles combined, the member's own); a timed-out member keeps only
 *       VIEW_CHANNEL and READ_MESSAGE_HISTORY. channel_id 0 gives the
 *       guild-level permissions; a thread uses its parent's overwrites.
 *       Roles no longer cached count as none. Loop thread.
 * Returns: 1 (*perms set); 0 (guild, member, its @everyone role or the
 *       channel not cached: nothing to compute from); DBOT_EINVAL;
 *       DBOT_ESTATE (guilds, roles or members not cached);
 *       DBOT_EWRONGTHREAD. */
DBOT_API int dbot_cache_permissions(dbot *bot, uint64_t guild_id,
                                    uint64_t channel_id, uint64_t user_id,
                                    uint64_t *perms);

/* Name: dbot_cache_request_members
 * Desc: ask Discord for a guild's members (Request Guild Members, op 8,
 *       on the guild's shard). query "" with limit 0 asks for all of them
 *       (needs the GUILD_MEMBERS intent; Discord allows one such request
 *       per guild per 30 s and answers a refused one with a RATE_LIMITED
 *       dispatch); a prefix query returns at most `limit` (1..100). The
 *       members arrive as GUILD_MEMBERS_CHUNK dispatches, up to 1000 per
 *       chunk, tagged with `nonce`, and the cache takes them in before
 *       any handler sees them. presences: 1 to ask for presences too
 *       (needs GUILD_PRESENCES). nonce may be NULL; it is at most 32
 *       bytes. Loop thread.
 * Returns: 0 (queued); DBOT_EINVAL (guild_id 0, query NULL, limit out of
 *       0..100, a nonce over 32 bytes, limit 0 with a non-empty query);
 *       and what dbot_shard_send() returns: DBOT_ESTATE (the shard is
 *       not READY), DBOT_EBUSY, DBOT_ENOMEM, DBOT_EWRONGTHREAD. */
DBOT_API int dbot_cache_request_members(dbot *bot, uint64_t guild_id,
                                        const char *query, int limit,
                                        int presences, const char *nonce);

#ifdef __cplusplus
}
#endif
#endif /* DBOT_CACHE_H */
