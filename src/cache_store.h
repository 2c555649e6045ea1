/*
 * cache_store.h: the cache's records and the store they live in, shared by
 * the cache's files (cache.c: life cycle, sweeps, stats; cache_events.c:
 * Discord's documents into records; cache_lookup.c: records into the
 * public structs). Nothing outside the cache includes it.
 *
 * SIZES. Each record is a fixed struct; every string or id set is a 4-byte
 * intern id. Timestamps are seconds since Discord's epoch (2015) in 32
 * bits, good until 2151. A member is 32 bytes plus its share of the
 * guild's index; its user (32 bytes) is shared by every guild it is in.
 */
#ifndef DBOT_SRC_CACHE_STORE_H
#define DBOT_SRC_CACHE_STORE_H

#include "cache.h"
#include "idtable.h"
#include "intern.h"

#include <stdint.h>

#define DBOT__DISCORD_EPOCH_S 1420070400LL

struct cguild {
    uint64_t id, owner_id;
    uint32_t name, icon;
    int32_t member_count;
    uint16_t shard;
    uint8_t unavailable, large;
    uint8_t clearing;               /* its children are being swept */
    struct dbot__idtable members;   /* struct cmember by user id */
    struct dbot__idtable voice;     /* struct cvoice by user id */
    struct dbot__idtable presences; /* struct cpresence by user id */
};

struct cguild_ref {
    uint64_t id;
    struct cguild *g; /* owned */
};

struct cmember {
    uint64_t user_id;
    uint32_t nick, avatar;
    uint32_t roles;   /* intern id of a sorted uint64_t array, 0: none */
    uint32_t joined;  /* seconds since the Discord epoch, 0: unknown */
    uint32_t timeout; /* same, 0: none */
    uint16_t flags;
    uint8_t pending;
    uint8_t has_user; /* holds a reference on the users table */
};

/* An avatar hash is 32 hex digits, "a_" first when animated: kept as its
 * 16 bytes (an interned string would cost a slot and an allocation for
 * every user, since no two users share one). Anything else Discord might
 * send is interned instead, its id in the first 4 bytes. */
enum {
    AVATAR_NONE,
    AVATAR_HEX,
    AVATAR_ANIMATED,
    AVATAR_OTHER
};

struct cuser {
    uint64_t id;
    uint32_t username, global_name;
    uint32_t ref; /* members, message authors and the bot itself */
    uint32_t public_flags;
    unsigned char avatar[16];
    uint16_t discriminator;
    uint8_t bot, self, avatar_kind;
};

enum {
    CH_NSFW = 1,
    CH_ARCHIVED = 2,
    CH_LOCKED = 4,
    CH_JOINED = 8
};

struct cchannel {
    uint64_t id, guild_id, parent_id, owner_id;
    uint32_t name, topic;
    uint32_t overwrites; /* intern id of struct dbot__perm_overwrite[] */
    int32_t position;
    uint16_t rate_limit, member_count;
    uint8_t type, bits;
};

enum {
    ROLE_HOIST = 1,
    ROLE_MANAGED = 2,
    ROLE_MENTIONABLE = 4
};

struct crole {
    uint64_t id, guild_id, permissions;
    uint32_t name, color;
    int32_t position;
    uint8_t bits;
};

enum {
    EMOJI_ANIMATED = 1,
    EMOJI_AVAILABLE = 2,
    EMOJI_MANAGED = 4
};

struct cemoji {
    uint64_t id, guild_id;
    uint32_t name;
    uint8_t bits;
};

enum {
    VS_SELF_MUTE = 1,
    VS_SELF_DEAF = 2,
    VS_MUTE = 4,
    VS_DEAF = 8,
    VS_STREAM = 16,
    VS_VIDEO = 32,
    VS_SUPPRESS = 64,
};

struct cvoice {
    uint64_t user_id, channel_id;
    uint8_t bits;
};

struct cpresence {
    uint64_t user_id;
    uint32_t activity;
    uint8_t status; /* index into cache_lookup.c's names */
    int8_t activity_type;
};

enum {
    MSG_PINNED = 1,
    MSG_EDITED = 2
};

struct cmessage {
    uint64_t id, channel_id, guild_id, author_id;
    uint32_t content, flags;
    uint16_t type;
    uint8_t bits;
    uint8_t has_author; /* holds a reference on the users table */
};

/* The newest messages of one channel: a ring of their ids. */
struct cmsgchan {
    uint64_t channel_id, guild_id;
    uint64_t *ring; /* messages_per_channel ids */
    uint32_t n, head;
};

struct dbot__cache {
    struct dbot__cache_config cfg;
    struct dbot__intern str;
    struct dbot__idtable guilds;    /* struct cguild_ref */
    struct dbot__idtable channels;  /* struct cchannel */
    struct dbot__idtable threads;   /* struct cchannel */
    struct dbot__idtable roles;     /* struct crole */
    struct dbot__idtable users;     /* struct cuser */
    struct dbot__idtable emojis;    /* struct cemoji */
    struct dbot__idtable messages;  /* struct cmessage */
    struct dbot__idtable msgchans;  /* struct cmsgchan */
    uint64_t count[DBOT__CK_COUNT]; /* members, voice, presences: totals */
    uint64_t dropped[DBOT__CK_COUNT];
    uint64_t self_id;
};

struct cguild *dbot__cache_guild_rec(const struct dbot__cache *c, uint64_t id);

/* Give up one reference on a user; the last one removes it. */
void dbot__cache_user_unref(struct dbot__cache *c, uint64_t id);

/* Remove a record and what it references. */
void dbot__cache_member_drop(struct dbot__cache *c, struct cguild *g,
                             uint64_t user_id);
void dbot__cache_channel_drop(struct dbot__cache *c, struct dbot__idtable *t,
                              uint64_t id);
void dbot__cache_message_drop(struct dbot__cache *c, uint64_t id);

/* Empty a guild's members, voice states and presences. */
void dbot__cache_guild_clear_members(struct dbot__cache *c, struct cguild *g);

/* Remove the channels, threads, roles, emojis and messages of every guild
 * whose `clearing` is set (one pass over each table). */
void dbot__cache_sweep(struct dbot__cache *c);

/* Remove every guild of this shard (and, for shard 0, the DM channels):
 * what a fresh READY means. */
void dbot__cache_drop_shard(struct dbot__cache *c, int shard_id);

/* Remove a guild and everything in it. */
void dbot__cache_guild_drop(struct dbot__cache *c, uint64_t id);

/* The events (cache_events.c): Discord's document `d` into the store. */
typedef void (*dbot__cache_event_fn)(struct dbot__cache *c, const cJSON *d,
                                     int shard_id);
dbot__cache_event_fn dbot__cache_event_handler(const char *name);

#endif
