/*
 * cache.h: the gateway cache (public view: <dbot/cache.h>). One more
 * consumer of the event sink: bot.c hands it every dispatch before the
 * user's handlers, and the lookups read it on the loop.
 *
 * It knows JSON and Discord's documents, not sockets: tests feed it events
 * directly. Records are fixed C structs in id-keyed slabs (idtable.h);
 * strings, role-id sets and permission overwrites are interned (intern.h);
 * users are one table shared by every guild's members.
 */
#ifndef DBOT_SRC_CACHE_H
#define DBOT_SRC_CACHE_H

#include "config.h"

#include <dbot/cache.h>

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

struct dbot__cache;

/* A cache with these bounds (cfg->on must be set). Returns 0 or
 * DBOT_ENOMEM. */
int dbot__cache_new(struct dbot__cache **out,
                    const struct dbot__cache_config *cfg);
void dbot__cache_free(struct dbot__cache *c);

/* One dispatch, in order, before any handler sees it. `d` is borrowed.
 * Events the cache does not keep are ignored. */
void dbot__cache_apply(struct dbot__cache *c, const char *name, const cJSON *d,
                       int shard_id);

/* Entries, bytes and refused entries per kind, for /metrics. Bytes are
 * the kind's tables; strings (names, role sets, overwrites, message
 * text) are counted once, as "strings". */
#define DBOT__CACHE_STAT_STRINGS DBOT__CK_COUNT
struct dbot__cache_stats {
    uint64_t entries[DBOT__CK_COUNT + 1];
    uint64_t bytes[DBOT__CK_COUNT + 1];
    uint64_t dropped[DBOT__CK_COUNT + 1];
};
void dbot__cache_stats(const struct dbot__cache *c,
                       struct dbot__cache_stats *out);
/* "guilds", ..., "messages", "strings". */
const char *dbot__cache_stat_name(int k);

/* Is kind k on? */
int dbot__cache_has(const struct dbot__cache *c, int kind);

/* The lookups behind <dbot/cache.h> (which checks the thread and the
 * kind): 1 found, 0 not cached. `now_s` is the wall clock, for timeouts. */
int dbot__cache_guild(const struct dbot__cache *c, uint64_t id,
                      dbot_cached_guild *out);
int dbot__cache_channel(const struct dbot__cache *c, uint64_t id,
                        dbot_cached_channel *out);
int dbot__cache_role(const struct dbot__cache *c, uint64_t id,
                     dbot_cached_role *out);
int dbot__cache_user(const struct dbot__cache *c, uint64_t id,
                     dbot_cached_user *out);
int dbot__cache_emoji(const struct dbot__cache *c, uint64_t id,
                      dbot_cached_emoji *out);
int dbot__cache_member(const struct dbot__cache *c, uint64_t guild_id,
                       uint64_t user_id, dbot_cached_member *out);
int dbot__cache_voice_state(const struct dbot__cache *c, uint64_t guild_id,
                            uint64_t user_id, dbot_cached_voice_state *out);
int dbot__cache_presence(const struct dbot__cache *c, uint64_t guild_id,
                         uint64_t user_id, dbot_cached_presence *out);
int dbot__cache_message(const struct dbot__cache *c, uint64_t channel_id,
                        uint64_t message_id, dbot_cached_message *out);
int dbot__cache_permissions(const struct dbot__cache *c, uint64_t guild_id,
                            uint64_t channel_id, uint64_t user_id,
                            int64_t now_s, uint64_t *perms);

#endif
