/*
 * fake_world.h: the fake's model of each guild for the moderation and
 * management routes (fake_world.c, fake_moderation.c): roles with
 * positions and permissions, members with roles and timeouts, bans, the
 * text channel and the threads created in it, messages seeded or created
 * there, pins, webhooks. Built on first use from the fake guild's id
 * (fake_guilds.h). Loop thread, fc->mu held.
 *
 * Guild k (id G): roles @everyone (G, position 0, Discord's default
 * permissions), "member" (G+5, position 1, none), "bot" (G+10, position 5,
 * FC_BOT_DEFAULT_PERMS; the bot's only role), "admin" (G+20, position 10,
 * ADMINISTRATOR; above the bot). Members: the bot and users
 * 1200000000000000000 + i for i < max(opts.guild_members, 8); user 0 has
 * "member", user 1 has "admin". Owner: 1100000000000000002 (not a member).
 * fakecord_model_guild builds another guild the same way from its ids.
 */
#ifndef DBOT_TESTS_FAKE_WORLD_H
#define DBOT_TESTS_FAKE_WORLD_H

#include "fake_routes.h"

#include <stdint.h>

#define FC_P_KICK           (1ULL << 1)
#define FC_P_BAN            (1ULL << 2)
#define FC_P_ADMIN          (1ULL << 3)
#define FC_P_MANAGE_CHANNEL (1ULL << 4)
#define FC_P_MANAGE_MSGS    (1ULL << 13)
#define FC_P_MANAGE_ROLES   (1ULL << 28)
#define FC_P_MANAGE_HOOKS   (1ULL << 29)
#define FC_P_MANAGE_THREADS (1ULL << 34)
#define FC_P_PUBLIC_THREADS (1ULL << 35)
#define FC_P_MODERATE       (1ULL << 40)
#define FC_P_PIN            (1ULL << 51)
#define FC_BOT_DEFAULT_PERMS                                         \
    (FC_P_KICK | FC_P_BAN | FC_P_MANAGE_CHANNEL | FC_P_MANAGE_MSGS | \
     FC_P_MANAGE_ROLES | FC_P_MANAGE_HOOKS | FC_P_MANAGE_THREADS |   \
     FC_P_PUBLIC_THREADS | FC_P_MODERATE | FC_P_PIN)

/* The state of the guild with this id, built on first use; NULL if the
 * fake has no such guild. */
cJSON *fc_world_guild(struct fakecord *fc, const char *gid);
/* The guild state holding channel `cid` (its text channel or a thread
 * made in it), with the channel in *chan; NULL if none. */
cJSON *fc_world_channel(struct fakecord *fc, const char *cid, cJSON **chan);

/* The bot's guild-level permissions (owner/ADMINISTRATOR: all). */
uint64_t fc_world_bot_perms(const cJSON *g);
/* The highest role position of member `m` (0: @everyone only). */
int fc_world_top(const cJSON *g, const cJSON *m);
cJSON *fc_world_member(const cJSON *g, const char *uid);
cJSON *fc_world_role(const cJSON *g, const char *rid);

/* 1 if the bot holds `need`; else answers 403 50013 and returns 0. */
int fc_world_allowed(struct fc_http *h, const cJSON *g, uint64_t need);

/* The message `mid` of channel `cid` (created through the fake or
 * seeded), NULL if unknown or deleted. */
const cJSON *fc_world_message(struct fakecord *fc, const cJSON *g,
                              const char *cid, const char *mid);

/* Routes (fake_moderation.c). Each returns 1 if it answered h, 0 if the
 * path is not one of its routes. */
int fc_world_guild_route(struct fakecord *fc, struct fc_http *h,
                         const struct fc_route *r);
int fc_world_channel_route(struct fakecord *fc, struct fc_http *h,
                           const struct fc_route *r);
int fc_world_webhook_route(struct fakecord *fc, struct fc_http *h,
                           const struct fc_route *r);
/* 1 if the request's X-Audit-Log-Reason is absent or 1..512 characters
 * once percent-decoded; else a violation, 400 50035, and 0. */
int fc_world_reason_ok(struct fakecord *fc, struct fc_http *h);

#endif
