/*
 * dbot/rest_calls.h: typed helpers for the REST calls bots make every day:
 * messages, DMs, channels and threads, members and moderation, roles,
 * the guild, webhooks. Each is one route of Discord's HTTP API (named in
 * its block, from discord/discord-api-docs developers/resources/ at
 * c98d64b; docs/rest_calls.md lists the sources) sent through dbot_rest:
 * the same rate limiter, retries, thread rule, ownership and callback
 * contract as <dbot/rest.h> (read its header first). cb gets Discord's
 * answer parsed in res->json (the object or array the route returns;
 * NULL for a 204).
 *
 * REASONS. Every call Discord writes to the audit log takes `reason`
 * (NULL or "" for none): sent as X-Audit-Log-Reason, URL-encoded by dbot.
 * Discord takes 1..512 characters; a reason longer than 512 code points or
 * not UTF-8 is refused with DBOT_EINVAL (and a log line) before anything
 * is sent.
 *
 * ERRORS. Every call returns 0 (cb will run) or fails without sending and
 * without calling cb: DBOT_EINVAL (a zero id, a NULL required argument, a
 * bad reason, or the limit named in the block), DBOT_ENOMEM,
 * DBOT_ESHUTDOWN, DBOT_EWRONGTHREAD. What Discord answers (403 50013
 * missing permissions, 404 10008 unknown message, ...) reaches cb.
 *
 * THREAD. Loop thread, as every call of <dbot/rest.h>.
 */
#ifndef DBOT_REST_CALLS_H
#define DBOT_REST_CALLS_H

#include <dbot/rest.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Discord's limits the calls below check before sending. */
#define DBOT_AUDIT_REASON_MAX   512 /* characters of X-Audit-Log-Reason */
#define DBOT_BULK_DELETE_MIN    2
#define DBOT_BULK_DELETE_MAX    100
#define DBOT_BULK_DELETE_MAX_MS (14LL * 24 * 3600 * 1000) /* message age */
#define DBOT_TIMEOUT_MAX_S      (28LL * 24 * 3600)        /* 28 days */
#define DBOT_MEMBER_PAGE_MAX    1000

/* ---- messages --------------------------------------------------------- */

/* Name: dbot_message_get
 * Desc: GET /channels/{channel_id}/messages/{message_id}.
 * Returns: as dbot_rest; DBOT_EINVAL for a zero id. */
DBOT_API int dbot_message_get(dbot *bot, uint64_t channel_id,
                              uint64_t message_id, dbot_rest_fn cb, void *data);

/* Name: dbot_message_edit
 * Desc: PATCH /channels/{channel_id}/messages/{message_id} with a message
 *       object (dbot_msg_json builds one); only the bot's own messages'
 *       content can be edited.
 * Returns: as dbot_rest; DBOT_EINVAL for a zero id or msg NULL. */
DBOT_API int dbot_message_edit(dbot *bot, uint64_t channel_id,
                               uint64_t message_id, const cJSON *msg,
                               dbot_rest_fn cb, void *data);

/* Name: dbot_message_delete
 * Desc: DELETE /channels/{channel_id}/messages/{message_id} (someone
 *       else's message needs MANAGE_MESSAGES). Audited: takes a reason.
 * Returns: as dbot_rest; DBOT_EINVAL for a zero id or a bad reason. */
DBOT_API int dbot_message_delete(dbot *bot, uint64_t channel_id,
                                 uint64_t message_id, const char *reason,
                                 dbot_rest_fn cb, void *data);

/* Name: dbot_message_bulk_delete
 * Desc: POST /channels/{channel_id}/messages/bulk-delete with
 *       {"messages": ids}. Needs MANAGE_MESSAGES; guild channels only.
 *       Discord refuses the whole request (400) when there are fewer than
 *       2 or more than 100 ids, a duplicate, or a message older than 14
 *       days; dbot checks all three first, the age from each id's
 *       snowflake time against `now_unix_ms` (0: the wall clock now).
 *       Audited: takes a reason.
 * Returns: as dbot_rest; DBOT_EINVAL for a zero channel_id, ids NULL, n
 *       outside 2..100, a zero or duplicate id, an id older than 14 days,
 *       or a bad reason (each logged). */
DBOT_API int dbot_message_bulk_delete(dbot *bot, uint64_t channel_id,
                                      const uint64_t *ids, size_t n,
                                      int64_t now_unix_ms, const char *reason,
                                      dbot_rest_fn cb, void *data);

/* Name: dbot_message_pin, dbot_message_unpin
 * Desc: PUT or DELETE /channels/{channel_id}/messages/pins/{message_id}
 *       (Discord's current pin routes; the old /channels/{id}/pins/{id}
 *       are deprecated). Need PIN_MESSAGES. Audited: take a reason.
 * Returns: as dbot_rest; DBOT_EINVAL for a zero id or a bad reason. */
DBOT_API int dbot_message_pin(dbot *bot, uint64_t channel_id,
                              uint64_t message_id, const char *reason,
                              dbot_rest_fn cb, void *data);
DBOT_API int dbot_message_unpin(dbot *bot, uint64_t channel_id,
                                uint64_t message_id, const char *reason,
                                dbot_rest_fn cb, void *data);

/* ---- direct messages -------------------------------------------------- */

/* Name: dbot_dm_open
 * Desc: POST /users/@me/channels {"recipient_id"}: the DM channel with a
 *       user (res->json is the channel; its "id" takes messages).
 * Returns: as dbot_rest; DBOT_EINVAL for user_id 0. */
DBOT_API int dbot_dm_open(dbot *bot, uint64_t user_id, dbot_rest_fn cb,
                          void *data);

/* Name: dbot_dm_send
 * Desc: open the DM channel with `user_id`, then create `msg` in it (as
 *       dbot_message_create; msg is copied by the call). cb runs once with
 *       the outcome of the step that ended the chain: the open's failure,
 *       or the create's result (50007 when the user does not accept DMs).
 * Returns: as dbot_rest; DBOT_EINVAL for user_id 0 or msg NULL. */
DBOT_API int dbot_dm_send(dbot *bot, uint64_t user_id, const cJSON *msg,
                          dbot_rest_fn cb, void *data);

/* ---- channels and threads --------------------------------------------- */

/* Name: dbot_channel_get
 * Desc: GET /channels/{channel_id} (a channel or thread object).
 * Returns: as dbot_rest; DBOT_EINVAL for channel_id 0. */
DBOT_API int dbot_channel_get(dbot *bot, uint64_t channel_id, dbot_rest_fn cb,
                              void *data);

/* Name: dbot_channel_modify
 * Desc: PATCH /channels/{channel_id} with the fields to change
 *       ({"name":"x","topic":"y"}, ...). Needs MANAGE_CHANNELS (or
 *       MANAGE_THREADS for a thread). Audited: takes a reason.
 * Returns: as dbot_rest; DBOT_EINVAL for channel_id 0, changes not an
 *       object, or a bad reason. */
DBOT_API int dbot_channel_modify(dbot *bot, uint64_t channel_id,
                                 const cJSON *changes, const char *reason,
                                 dbot_rest_fn cb, void *data);

/* Name: dbot_thread_create
 * Desc: start a thread named `name` (1..100 characters): from a message,
 *       POST /channels/{channel_id}/messages/{message_id}/threads; with
 *       message_id 0, POST /channels/{channel_id}/threads with "type": 11
 *       (a public thread; Discord's default without a type is private).
 *       Needs CREATE_PUBLIC_THREADS. Audited: takes a reason.
 * Returns: as dbot_rest; DBOT_EINVAL for channel_id 0, a name NULL, empty,
 *       over 100 characters or not UTF-8, or a bad reason. */
DBOT_API int dbot_thread_create(dbot *bot, uint64_t channel_id,
                                uint64_t message_id, const char *name,
                                const char *reason, dbot_rest_fn cb,
                                void *data);

/* Name: dbot_thread_join
 * Desc: PUT /channels/{thread_id}/thread-members/@me (204).
 * Returns: as dbot_rest; DBOT_EINVAL for thread_id 0. */
DBOT_API int dbot_thread_join(dbot *bot, uint64_t thread_id, dbot_rest_fn cb,
                              void *data);

/* Name: dbot_thread_archive
 * Desc: PATCH /channels/{thread_id} {"archived": true} (archived != 0) or
 *       false to unarchive. Audited: takes a reason.
 * Returns: as dbot_rest; DBOT_EINVAL for thread_id 0 or a bad reason. */
DBOT_API int dbot_thread_archive(dbot *bot, uint64_t thread_id, int archived,
                                 const char *reason, dbot_rest_fn cb,
                                 void *data);

/* ---- members and moderation ------------------------------------------- */

/* Name: dbot_member_get
 * Desc: GET /guilds/{guild_id}/members/{user_id} (404 10007 if the user
 *       is not a member).
 * Returns: as dbot_rest; DBOT_EINVAL for a zero id. */
DBOT_API int dbot_member_get(dbot *bot, uint64_t guild_id, uint64_t user_id,
                             dbot_rest_fn cb, void *data);

/* Name: dbot_member_list
 * Desc: one page: GET /guilds/{guild_id}/members?limit={limit}&after=
 *       {after}: up to `limit` (1..1000) members with user ids above
 *       `after` (0: from the start), in id order; the next page starts
 *       after the last id. Needs the GUILD_MEMBERS intent in the portal.
 * Returns: as dbot_rest; DBOT_EINVAL for guild_id 0 or limit outside
 *       1..1000. */
DBOT_API int dbot_member_list(dbot *bot, uint64_t guild_id, uint64_t after,
                              int limit, dbot_rest_fn cb, void *data);

/* Name: dbot_member_list_all
 * Desc: every member: pages of 1000 (dbot_member_list) until a short page,
 *       then cb once with res->json an array of them all (borrowed until
 *       cb returns), or with the result of the page that failed (the
 *       members gathered before it are dropped). Stops at `max`
 *       members (0: 100000) with the array so far, res->err 0 and
 *       res->message "truncated", so a huge guild cannot eat the memory.
 * Returns: as dbot_rest; DBOT_EINVAL for guild_id 0. */
DBOT_API int dbot_member_list_all(dbot *bot, uint64_t guild_id, size_t max,
                                  dbot_rest_fn cb, void *data);

/* Name: dbot_member_role_add, dbot_member_role_remove
 * Desc: PUT or DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}
 *       (204). Need MANAGE_ROLES and a highest role above `role_id`.
 *       Audited: take a reason.
 * Returns: as dbot_rest; DBOT_EINVAL for a zero id or a bad reason. */
DBOT_API int dbot_member_role_add(dbot *bot, uint64_t guild_id,
                                  uint64_t user_id, uint64_t role_id,
                                  const char *reason, dbot_rest_fn cb,
                                  void *data);
DBOT_API int dbot_member_role_remove(dbot *bot, uint64_t guild_id,
                                     uint64_t user_id, uint64_t role_id,
                                     const char *reason, dbot_rest_fn cb,
                                     void *data);

/* Name: dbot_member_timeout
 * Desc: PATCH /guilds/{guild_id}/members/{user_id} with
 *       "communication_disabled_until" `seconds` from now (wall clock, as
 *       ISO 8601 UTC), or null for seconds 0 (end a timeout). Needs
 *       MODERATE_MEMBERS; Discord allows at most 28 days. Audited.
 * Returns: as dbot_rest; DBOT_EINVAL for a zero id, seconds < 0 or over
 *       DBOT_TIMEOUT_MAX_S, or a bad reason. */
DBOT_API int dbot_member_timeout(dbot *bot, uint64_t guild_id, uint64_t user_id,
                                 int64_t seconds, const char *reason,
                                 dbot_rest_fn cb, void *data);

/* Name: dbot_member_kick
 * Desc: DELETE /guilds/{guild_id}/members/{user_id} (204). Needs
 *       KICK_MEMBERS. Audited: takes a reason.
 * Returns: as dbot_rest; DBOT_EINVAL for a zero id or a bad reason. */
DBOT_API int dbot_member_kick(dbot *bot, uint64_t guild_id, uint64_t user_id,
                              const char *reason, dbot_rest_fn cb, void *data);

/* Name: dbot_member_ban
 * Desc: PUT /guilds/{guild_id}/bans/{user_id} {"delete_message_seconds"}
 *       (204): ban, deleting the user's messages of the last
 *       `delete_message_seconds` (0..604800). Needs BAN_MEMBERS. Audited.
 * Returns: as dbot_rest; DBOT_EINVAL for a zero id, seconds outside
 *       0..604800, or a bad reason. */
DBOT_API int dbot_member_ban(dbot *bot, uint64_t guild_id, uint64_t user_id,
                             int delete_message_seconds, const char *reason,
                             dbot_rest_fn cb, void *data);

/* Name: dbot_member_unban
 * Desc: DELETE /guilds/{guild_id}/bans/{user_id} (204; 404 10026 if not
 *       banned). Needs BAN_MEMBERS. Audited: takes a reason.
 * Returns: as dbot_rest; DBOT_EINVAL for a zero id or a bad reason. */
DBOT_API int dbot_member_unban(dbot *bot, uint64_t guild_id, uint64_t user_id,
                               const char *reason, dbot_rest_fn cb, void *data);

/* ---- roles and the guild ---------------------------------------------- */

/* Name: dbot_role_list
 * Desc: GET /guilds/{guild_id}/roles (an array of role objects).
 * Returns: as dbot_rest; DBOT_EINVAL for guild_id 0. */
DBOT_API int dbot_role_list(dbot *bot, uint64_t guild_id, dbot_rest_fn cb,
                            void *data);

/* Name: dbot_role_create
 * Desc: POST /guilds/{guild_id}/roles with the role's fields
 *       ({"name","permissions":"<decimal>","colors",...}; params may be
 *       NULL for Discord's "new role"). Needs MANAGE_ROLES. Audited.
 * Returns: as dbot_rest; DBOT_EINVAL for guild_id 0, params not an object,
 *       or a bad reason. */
DBOT_API int dbot_role_create(dbot *bot, uint64_t guild_id, const cJSON *params,
                              const char *reason, dbot_rest_fn cb, void *data);

/* Name: dbot_role_modify
 * Desc: PATCH /guilds/{guild_id}/roles/{role_id} with the fields to
 *       change. Needs MANAGE_ROLES. Audited: takes a reason.
 * Returns: as dbot_rest; DBOT_EINVAL for a zero id, params not an object,
 *       or a bad reason. */
DBOT_API int dbot_role_modify(dbot *bot, uint64_t guild_id, uint64_t role_id,
                              const cJSON *params, const char *reason,
                              dbot_rest_fn cb, void *data);

/* Name: dbot_role_delete
 * Desc: DELETE /guilds/{guild_id}/roles/{role_id} (204). Needs
 *       MANAGE_ROLES. Audited: takes a reason.
 * Returns: as dbot_rest; DBOT_EINVAL for a zero id or a bad reason. */
DBOT_API int dbot_role_delete(dbot *bot, uint64_t guild_id, uint64_t role_id,
                              const char *reason, dbot_rest_fn cb, void *data);

/* Name: dbot_guild_get
 * Desc: GET /guilds/{guild_id} (the guild with its roles; owner_id and
 *       roles are what dbot_permissions_compute reads).
 * Returns: as dbot_rest; DBOT_EINVAL for guild_id 0. */
DBOT_API int dbot_guild_get(dbot *bot, uint64_t guild_id, dbot_rest_fn cb,
                            void *data);

/* ---- webhooks --------------------------------------------------------- */

/* Name: dbot_webhook_create
 * Desc: POST /channels/{channel_id}/webhooks {"name"}: res->json is the
 *       webhook, with the "id" and "token" dbot_webhook_execute takes.
 *       Needs MANAGE_WEBHOOKS. Discord refuses names over 80 characters
 *       or containing "clyde" or "discord" (any case). Audited.
 * Returns: as dbot_rest; DBOT_EINVAL for channel_id 0, a name NULL,
 *       empty, over 80 characters, not UTF-8 or with a refused word, or a
 *       bad reason. */
DBOT_API int dbot_webhook_create(dbot *bot, uint64_t channel_id,
                                 const char *name, const char *reason,
                                 dbot_rest_fn cb, void *data);

/* Name: dbot_webhook_execute
 * Desc: POST /webhooks/{webhook_id}/{token}?wait=true with a message
 *       object: res->json is the message created. The token authenticates
 *       the call (the bot token is not sent). Not resent after a 5xx.
 * Returns: as dbot_rest; DBOT_EINVAL for webhook_id 0, a bad token (as
 *       the interaction-token calls of dbot/rest.h) or msg NULL. */
DBOT_API int dbot_webhook_execute(dbot *bot, uint64_t webhook_id,
                                  const char *token, const cJSON *msg,
                                  dbot_rest_fn cb, void *data);

#ifdef __cplusplus
}
#endif

#endif
