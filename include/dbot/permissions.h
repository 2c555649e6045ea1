/*
 * dbot/permissions.h: Discord's permission bits and the effective
 * permissions of a member in a channel.
 *
 * Permissions are a 64-bit set; Discord sends them as decimal strings
 * ("2147483647"). The bits below are every flag of Discord's table
 * (developers/topics/permissions.mdx, "Bitwise Permission Flags", checked
 * against discord/discord-api-docs c98d64b, 2026-08-06): bits 0..46 and
 * 48..52; bit 47 is not assigned.
 *
 * THREAD. Everything here is pure (numbers and borrowed JSON in, numbers
 * out): any thread, on data the thread owns.
 */
#ifndef DBOT_PERMISSIONS_H
#define DBOT_PERMISSIONS_H

#include <dbot/dbot.h>

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DBOT_PERM_BIT(n) ((uint64_t)1 << (n))

#define DBOT_PERM_CREATE_INSTANT_INVITE               DBOT_PERM_BIT(0)
#define DBOT_PERM_KICK_MEMBERS                        DBOT_PERM_BIT(1)
#define DBOT_PERM_BAN_MEMBERS                         DBOT_PERM_BIT(2)
#define DBOT_PERM_ADMINISTRATOR                       DBOT_PERM_BIT(3)
#define DBOT_PERM_MANAGE_CHANNELS                     DBOT_PERM_BIT(4)
#define DBOT_PERM_MANAGE_GUILD                        DBOT_PERM_BIT(5)
#define DBOT_PERM_ADD_REACTIONS                       DBOT_PERM_BIT(6)
#define DBOT_PERM_VIEW_AUDIT_LOG                      DBOT_PERM_BIT(7)
#define DBOT_PERM_PRIORITY_SPEAKER                    DBOT_PERM_BIT(8)
#define DBOT_PERM_STREAM                              DBOT_PERM_BIT(9)
#define DBOT_PERM_VIEW_CHANNEL                        DBOT_PERM_BIT(10)
#define DBOT_PERM_SEND_MESSAGES                       DBOT_PERM_BIT(11)
#define DBOT_PERM_SEND_TTS_MESSAGES                   DBOT_PERM_BIT(12)
#define DBOT_PERM_MANAGE_MESSAGES                     DBOT_PERM_BIT(13)
#define DBOT_PERM_EMBED_LINKS                         DBOT_PERM_BIT(14)
#define DBOT_PERM_ATTACH_FILES                        DBOT_PERM_BIT(15)
#define DBOT_PERM_READ_MESSAGE_HISTORY                DBOT_PERM_BIT(16)
#define DBOT_PERM_MENTION_EVERYONE                    DBOT_PERM_BIT(17)
#define DBOT_PERM_USE_EXTERNAL_EMOJIS                 DBOT_PERM_BIT(18)
#define DBOT_PERM_VIEW_GUILD_INSIGHTS                 DBOT_PERM_BIT(19)
#define DBOT_PERM_CONNECT                             DBOT_PERM_BIT(20)
#define DBOT_PERM_SPEAK                               DBOT_PERM_BIT(21)
#define DBOT_PERM_MUTE_MEMBERS                        DBOT_PERM_BIT(22)
#define DBOT_PERM_DEAFEN_MEMBERS                      DBOT_PERM_BIT(23)
#define DBOT_PERM_MOVE_MEMBERS                        DBOT_PERM_BIT(24)
#define DBOT_PERM_USE_VAD                             DBOT_PERM_BIT(25)
#define DBOT_PERM_CHANGE_NICKNAME                     DBOT_PERM_BIT(26)
#define DBOT_PERM_MANAGE_NICKNAMES                    DBOT_PERM_BIT(27)
#define DBOT_PERM_MANAGE_ROLES                        DBOT_PERM_BIT(28)
#define DBOT_PERM_MANAGE_WEBHOOKS                     DBOT_PERM_BIT(29)
#define DBOT_PERM_MANAGE_GUILD_EXPRESSIONS            DBOT_PERM_BIT(30)
#define DBOT_PERM_USE_APPLICATION_COMMANDS            DBOT_PERM_BIT(31)
#define DBOT_PERM_REQUEST_TO_SPEAK                    DBOT_PERM_BIT(32)
#define DBOT_PERM_MANAGE_EVENTS                       DBOT_PERM_BIT(33)
#define DBOT_PERM_MANAGE_THREADS                      DBOT_PERM_BIT(34)
#define DBOT_PERM_CREATE_PUBLIC_THREADS               DBOT_PERM_BIT(35)
#define DBOT_PERM_CREATE_PRIVATE_THREADS              DBOT_PERM_BIT(36)
#define DBOT_PERM_USE_EXTERNAL_STICKERS               DBOT_PERM_BIT(37)
#define DBOT_PERM_SEND_MESSAGES_IN_THREADS            DBOT_PERM_BIT(38)
#define DBOT_PERM_USE_EMBEDDED_ACTIVITIES             DBOT_PERM_BIT(39)
#define DBOT_PERM_MODERATE_MEMBERS                    DBOT_PERM_BIT(40)
#define DBOT_PERM_VIEW_CREATOR_MONETIZATION_ANALYTICS DBOT_PERM_BIT(41)
#define DBOT_PERM_USE_SOUNDBOARD                      DBOT_PERM_BIT(42)
#define DBOT_PERM_CREATE_GUILD_EXPRESSIONS            DBOT_PERM_BIT(43)
#define DBOT_PERM_CREATE_EVENTS                       DBOT_PERM_BIT(44)
#define DBOT_PERM_USE_EXTERNAL_SOUNDS                 DBOT_PERM_BIT(45)
#define DBOT_PERM_SEND_VOICE_MESSAGES                 DBOT_PERM_BIT(46)
#define DBOT_PERM_SET_VOICE_CHANNEL_STATUS            DBOT_PERM_BIT(48)
#define DBOT_PERM_SEND_POLLS                          DBOT_PERM_BIT(49)
#define DBOT_PERM_USE_EXTERNAL_APPS                   DBOT_PERM_BIT(50)
#define DBOT_PERM_PIN_MESSAGES                        DBOT_PERM_BIT(51)
#define DBOT_PERM_BYPASS_SLOWMODE                     DBOT_PERM_BIT(52)

/* Every documented bit: what an owner or an ADMINISTRATOR has. */
#define DBOT_PERM_ALL ((DBOT_PERM_BIT(53) - 1) & ~DBOT_PERM_BIT(47))

/* What a timed-out member keeps (developers/topics/permissions.mdx,
 * "Permissions For Timed Out Members"); owners and administrators are
 * exempt. */
#define DBOT_PERM_TIMED_OUT_KEEP \
    (DBOT_PERM_VIEW_CHANNEL | DBOT_PERM_READ_MESSAGE_HISTORY)

/* Name: dbot_permissions_parse
 * Desc: read a permission set as Discord sends it: a decimal string
 *       ("2147483648") or, leniently, a JSON number below 2^53.
 *       Any thread.
 * Returns: 0 and *out set; DBOT_EINVAL (NULL argument, not a decimal
 *       string, a value past 64 bits). */
DBOT_API int dbot_permissions_parse(const cJSON *value, uint64_t *out);

/* Name: dbot_permissions_compute
 * Desc: the permissions `member` has in `channel` of `guild`, by Discord's
 *       documented algorithm (developers/topics/permissions.mdx,
 *       "Permission Overwrites"): the @everyone role's permissions OR those
 *       of the member's roles; the owner, or anyone with ADMINISTRATOR, has
 *       DBOT_PERM_ALL; then the channel's @everyone overwrite (deny, then
 *       allow), the member's role overwrites combined (all denies, then all
 *       allows), and the member's own overwrite. A member whose
 *       communication_disabled_until lies after `now_unix_ms` keeps only
 *       DBOT_PERM_TIMED_OUT_KEEP of the result (pass 0 to ignore timeouts).
 *       Any thread; every argument borrowed.
 *       guild: {"id", "owner_id", "roles":[{"id","permissions"}]} (a
 *         GUILD_CREATE or GET /guilds/{id} object);
 *       channel: {"permission_overwrites":[{"id","type","allow","deny"}]},
 *         or NULL for the guild-level (base) permissions. For a thread,
 *         pass its parent channel (threads inherit its overwrites);
 *       member: {"user":{"id"}, "roles":[ids]} (a guild member object; an
 *         interaction's member works too).
 *       Roles the member names that the guild lacks are skipped.
 * Returns: 0 and *out set; DBOT_EINVAL (NULL guild, member or out; guild
 *       without a valid "id" or "roles"; member without "user"."id"; a
 *       permission or id that is not a decimal string). */
DBOT_API int dbot_permissions_compute(const cJSON *guild, const cJSON *channel,
                                      const cJSON *member, int64_t now_unix_ms,
                                      uint64_t *out);

#ifdef __cplusplus
}
#endif

#endif
