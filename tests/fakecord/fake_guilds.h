/*
 * fake_guilds.h: the fake's guild data: READY's unavailable stubs, one
 * GUILD_CREATE per guild, and GUILD_MEMBERS_CHUNK answers to op 8. Guild k
 * has id (400000000000 + k) << 22, one text channel (id + 1) and members:
 * the bot plus opts.guild_members users "user<i>" with ids
 * 1200000000000000000 + i. Pure data: loop thread, fc->mu held.
 */
#ifndef DBOT_TESTS_FAKE_GUILDS_H
#define DBOT_TESTS_FAKE_GUILDS_H

#include "fake_state.h"

uint64_t fc_guild_id(int k);
int fc_guild_on_shard(int k, int shard, int num_shards);
/* Index of the guild with this id, or -1. */
int fc_guild_index(const struct fakecord *fc, const char *id);

/* READY's d and guild k's GUILD_CREATE d as JSON text (caller frees), or
 * NULL on ENOMEM. */
char *fc_guilds_ready(struct fakecord *fc, struct fc_session *s,
                      int sent_shard);
char *fc_guilds_create(struct fakecord *fc, int k);

/* The GUILD_MEMBERS_CHUNK d texts answering op 8 `d` for guild k (at most
 * 1000 members each, chunk_index/chunk_count set, nonce echoed, not_found
 * for unknown user_ids). Returns the count (caller frees each and *out),
 * or -1. */
int fc_guilds_member_chunks(struct fakecord *fc, int k, const cJSON *d,
                            char ***out);

#endif
