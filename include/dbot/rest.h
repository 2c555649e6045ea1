/*
 * dbot/rest.h: Discord's HTTP API.
 *
 * Every call here queues one request and returns at once; the request runs
 * on dbot's REST thread, which keeps Discord's rate limits (per-route
 * buckets, the global limit, 429 retry_after) and retries what is safe to
 * retry. The callback then runs once on the loop thread.
 *
 * THREAD. Every function here: loop thread (from a handler, a dbot_post()
 * function, or main before dbot_run()); debug builds refuse other threads
 * with DBOT_EWRONGTHREAD.
 *
 * OWNERSHIP. Every argument is borrowed for the call: JSON bodies are
 * printed and strings copied before it returns. `data` is passed to cb as
 * is.
 *
 * ERRORS. Every call returns 0 (cb will run), or fails without sending
 * and without calling cb: DBOT_EINVAL (a NULL or malformed argument, named
 * in each block), DBOT_ENOMEM, DBOT_ESHUTDOWN (the bot has no REST client:
 * stopping or freed), DBOT_EWRONGTHREAD. The request's own outcome (HTTP
 * status, Discord's error) reaches cb in dbot_rest_result.
 *
 * CALLBACK. `cb` runs exactly once on the loop thread if the call returned
 * 0, with the outcome in *res (borrowed until cb returns). It never runs if
 * the call failed. cb may be NULL ("fire and forget"): failures are then
 * logged. When the bot is freed with requests pending, cb runs with
 * res->err == DBOT_ECANCELED.
 *
 * PATHS are relative to the configured API URL ("/channels/1/messages",
 * version included in the URL). Path segments are sent as given; the
 * reaction calls below encode their emoji themselves.
 */
#ifndef DBOT_REST_H
#define DBOT_REST_H

#include <dbot/dbot.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The outcome of one request. */
typedef struct dbot_rest_result {
    int status;          /* HTTP status, 0 on transport error */
    int err;             /* 0 (2xx; or a resent interaction callback
                            answered 40060: the first attempt landed),
                            or DBOT_EHTTP (4xx/5xx), DBOT_EAUTH (401),
                            DBOT_ERATELIMIT (429 past the retry bound, or
                            a wait past the request's deadline),
                            DBOT_ETRANSPORT, DBOT_ETIMEDOUT,
                            DBOT_EJSON (2xx body is not JSON), DBOT_ETOOBIG
                            (body over max_body_bytes), DBOT_ENOENT (an
                            upload file could not be read), DBOT_ECANCELED */
    int discord_code;    /* Discord's "code" from an error body, or 0 */
    const char *message; /* Discord's "message", or dbot's explanation;
                            NULL on success */
    const cJSON *json;   /* parsed body (borrowed), NULL if none */
    const char *body;    /* raw body, NUL-terminated, "" if none */
    size_t body_len;
} dbot_rest_result;

typedef void (*dbot_rest_fn)(dbot *bot, const dbot_rest_result *res,
                             void *data);

/* A file to upload as multipart part files[n]. Give either data+len (copied
 * by the call) or path (opened and read on the REST thread, never on the
 * loop; an unreadable file fails the request with DBOT_ENOENT). */
typedef struct dbot_rest_file {
    const char *filename;     /* name shown in Discord, e.g. "a.png" */
    const char *content_type; /* NULL: application/octet-stream */
    const void *data;
    size_t len;
    const char *path;
} dbot_rest_file;

/* Per-request options; zero-initialise and set what you need. */
typedef struct dbot_rest_opts {
    const char *reason;          /* X-Audit-Log-Reason (UTF-8; encoded by
                                    dbot), NULL for none */
    const dbot_rest_file *files; /* uploads: the body becomes payload_json */
    size_t nfiles;               /* at most 10 */
} dbot_rest_opts;

/* Name: dbot_rest
 * Desc: send METHOD path with an optional JSON body (printed by the call,
 *       so it stays the caller's).
 * Returns: 0 (cb will run); DBOT_EINVAL (NULL bot, method or path);
 *       DBOT_ENOMEM; DBOT_ESHUTDOWN; DBOT_EWRONGTHREAD. */
DBOT_API int dbot_rest(dbot *bot, const char *method, const char *path,
                       const cJSON *body, dbot_rest_fn cb, void *data);

/* Name: dbot_rest_ex
 * Desc: dbot_rest with an audit-log reason and/or file uploads (opts may be
 *       NULL; it and its files are borrowed, file data copied, paths read
 *       on the REST thread). With files, `body` is sent as the
 *       payload_json part.
 * Returns: as dbot_rest; DBOT_EINVAL also for more than 10 files or a file
 *       with neither data nor path. */
DBOT_API int dbot_rest_ex(dbot *bot, const char *method, const char *path,
                          const cJSON *body, const dbot_rest_opts *opts,
                          dbot_rest_fn cb, void *data);

/* ---- messages --------------------------------------------------------- */

/* Name: dbot_message_create
 * Desc: POST /channels/{channel_id}/messages with a message object (as
 *       dbot_msg_json builds). Unless msg has its own "nonce", dbot adds a
 *       unique one with "enforce_nonce": true, so the request is resent
 *       after a 5xx or a broken connection and the channel still gets the
 *       message once (docs/rest.md, Retries).
 * Returns: as dbot_rest; DBOT_EINVAL also for channel_id 0 or msg NULL. */
DBOT_API int dbot_message_create(dbot *bot, uint64_t channel_id,
                                 const cJSON *msg, dbot_rest_fn cb, void *data);

/* Name: dbot_message_send
 * Desc: dbot_message_create with {"content": text}.
 * Returns: as dbot_message_create; DBOT_EINVAL also for text NULL. */
DBOT_API int dbot_message_send(dbot *bot, uint64_t channel_id, const char *text,
                               dbot_rest_fn cb, void *data);

/* ---- reactions -------------------------------------------------------- */

/* EMOJI. `emoji` is what a user writes: a Unicode emoji ("👍", "#️⃣",
 * "🇫🇷", sequences with variation selectors, keycaps and ZWJ included) or a
 * custom one as "<:name:id>", "<a:name:id>" or "name:id". dbot encodes it
 * exactly once (percent-encoded UTF-8, or "name:id"); never pass it
 * URL-encoded already. Each call returns DBOT_EINVAL, and logs why, for an
 * emoji that is empty, not UTF-8, longer than 64 bytes, or neither form
 * (":thumbsup:", "%F0%9F%91%8D"). Reactions share one rate-limit route per
 * channel whatever the emoji; Discord allows about one every 0.25 s. */

/* Name: dbot_reaction_add
 * Desc: PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me
 *       (react as the bot; 204 on success).
 * Returns: 0 (cb will run), DBOT_EINVAL (zero id or bad emoji), or as
 *       dbot_rest. */
DBOT_API int dbot_reaction_add(dbot *bot, uint64_t channel_id,
                               uint64_t message_id, const char *emoji,
                               dbot_rest_fn cb, void *data);

/* Name: dbot_reaction_remove_own
 * Desc: DELETE .../reactions/{emoji}/@me (the bot's own reaction).
 * Returns: as dbot_reaction_add. */
DBOT_API int dbot_reaction_remove_own(dbot *bot, uint64_t channel_id,
                                      uint64_t message_id, const char *emoji,
                                      dbot_rest_fn cb, void *data);

/* Name: dbot_reaction_remove_user
 * Desc: DELETE .../reactions/{emoji}/{user_id} (someone else's reaction;
 *       needs MANAGE_MESSAGES).
 * Returns: as dbot_reaction_add; DBOT_EINVAL also for user_id 0. */
DBOT_API int dbot_reaction_remove_user(dbot *bot, uint64_t channel_id,
                                       uint64_t message_id, const char *emoji,
                                       uint64_t user_id, dbot_rest_fn cb,
                                       void *data);

/* ---- interactions by token -------------------------------------------- */

/* The REST forms of the interaction answers of <dbot/interaction.h>: the
 * same name with dbot_rest_ in front (docs/api.md), the route's ids and
 * token instead of the handle, a JSON body, and a callback. They send
 * exactly what they are given, with no state machine: for tokens held
 * without a dbot_interaction (HTTP interactions, tools). A handler uses
 * dbot_interaction_reply(), _original_edit() and _followup() instead,
 * which keep the one-initial-response guarantee. Tokens are copied; one
 * that is empty or holds '/', '?', '#', spaces or non-ASCII is refused with
 * DBOT_EINVAL. */

/* Name: dbot_rest_interaction_callback
 * Desc: POST /interactions/{interaction_id}/{token}/callback with a full
 *       response body ({"type":4,"data":{...}}). Never waits behind other
 *       requests; retried on 5xx and transport errors only within the
 *       3-second deadline. A 40060 answer to such a resend means the first
 *       attempt landed: cb gets err 0 (status 400, discord_code 40060).
 * Returns: as dbot_rest; DBOT_EINVAL also for interaction_id 0, a bad
 *       token or body NULL. */
DBOT_API int dbot_rest_interaction_callback(dbot *bot, uint64_t interaction_id,
                                            const char *token,
                                            const cJSON *body, dbot_rest_fn cb,
                                            void *data);

/* Name: dbot_rest_interaction_original_edit,
 *       dbot_rest_interaction_original_delete
 * Desc: PATCH (with a message object) or DELETE
 *       /webhooks/{app_id}/{token}/messages/@original. The edit is
 *       idempotent, so it is resent after a 5xx or a broken connection.
 * Returns: as dbot_rest; DBOT_EINVAL also for app_id 0, a bad token or
 *       (edit) msg NULL. */
DBOT_API int dbot_rest_interaction_original_edit(dbot *bot, uint64_t app_id,
                                                 const char *token,
                                                 const cJSON *msg,
                                                 dbot_rest_fn cb, void *data);
DBOT_API int dbot_rest_interaction_original_delete(dbot *bot, uint64_t app_id,
                                                   const char *token,
                                                   dbot_rest_fn cb, void *data);

/* Name: dbot_rest_interaction_followup
 * Desc: POST /webhooks/{app_id}/{token} with a message object; cb's
 *       res->json is the message created (its "id" edits or deletes it).
 *       Not idempotent: resent only when it certainly never reached
 *       Discord (name not resolved, connection refused); after a 5xx or a
 *       broken connection cb gets the error rather than risk a duplicate.
 * Returns: as dbot_rest; DBOT_EINVAL also for app_id 0, a bad token or msg
 *       NULL. */
DBOT_API int dbot_rest_interaction_followup(dbot *bot, uint64_t app_id,
                                            const char *token, const cJSON *msg,
                                            dbot_rest_fn cb, void *data);

/* Name: dbot_rest_interaction_followup_edit,
 *       dbot_rest_interaction_followup_delete
 * Desc: PATCH (with a message object) or DELETE
 *       /webhooks/{app_id}/{token}/messages/{message_id}.
 * Returns: as dbot_rest; DBOT_EINVAL also for app_id or message_id 0, a
 *       bad token or (edit) msg NULL. */
DBOT_API int dbot_rest_interaction_followup_edit(dbot *bot, uint64_t app_id,
                                                 const char *token,
                                                 uint64_t message_id,
                                                 const cJSON *msg,
                                                 dbot_rest_fn cb, void *data);
DBOT_API int dbot_rest_interaction_followup_delete(dbot *bot, uint64_t app_id,
                                                   const char *token,
                                                   uint64_t message_id,
                                                   dbot_rest_fn cb, void *data);

/* ---- application commands --------------------------------------------- */

/* Name: dbot_commands_overwrite_global, dbot_commands_overwrite_guild
 * Desc: PUT /applications/{app_id}/commands, or
 *       /applications/{app_id}/guilds/{guild_id}/commands, with an array of
 *       command objects (bulk overwrite). dbot_commands_set() does this for
 *       you, only when something changed.
 * Returns: as dbot_rest; DBOT_EINVAL also for a zero id or cmds not an
 *       array. */
DBOT_API int dbot_commands_overwrite_global(dbot *bot, uint64_t app_id,
                                            const cJSON *cmds, dbot_rest_fn cb,
                                            void *data);
DBOT_API int dbot_commands_overwrite_guild(dbot *bot, uint64_t app_id,
                                           uint64_t guild_id, const cJSON *cmds,
                                           dbot_rest_fn cb, void *data);

/* Name: dbot_commands_get_global, dbot_commands_get_guild
 * Desc: GET /applications/{app_id}/commands, or
 *       /applications/{app_id}/guilds/{guild_id}/commands.
 * Returns: as dbot_rest; DBOT_EINVAL also for a zero id. */
DBOT_API int dbot_commands_get_global(dbot *bot, uint64_t app_id,
                                      dbot_rest_fn cb, void *data);
DBOT_API int dbot_commands_get_guild(dbot *bot, uint64_t app_id,
                                     uint64_t guild_id, dbot_rest_fn cb,
                                     void *data);

/* ---- misc ------------------------------------------------------------- */

/* Name: dbot_gateway_bot_get, dbot_application_get
 * Desc: GET /gateway/bot (the gateway URL and the shards advised), and
 *       GET /applications/@me (the bot's application).
 * Returns: as dbot_rest. */
DBOT_API int dbot_gateway_bot_get(dbot *bot, dbot_rest_fn cb, void *data);
DBOT_API int dbot_application_get(dbot *bot, dbot_rest_fn cb, void *data);

/* ---- deprecated (0.2 only; docs/api.md) -------------------------------- */

#ifndef DBOT_NO_DEPRECATED
/* Name: dbot_interaction_callback_raw, dbot_followup_create,
 *       dbot_followup_edit, dbot_followup_delete, dbot_original_edit,
 *       dbot_original_delete
 * Desc: deprecated: dbot_rest_interaction_callback, _followup,
 *       _followup_edit, _followup_delete, _original_edit, _original_delete
 *       with the same arguments. Loop thread.
 * Returns: as those. */
DBOT_API int dbot_interaction_callback_raw(dbot *bot, uint64_t interaction_id,
                                           const char *token, const cJSON *body,
                                           dbot_rest_fn cb, void *data)
    DBOT_DEPRECATED("dbot_rest_interaction_callback");
DBOT_API int dbot_followup_create(dbot *bot, uint64_t app_id, const char *token,
                                  const cJSON *msg, dbot_rest_fn cb, void *data)
    DBOT_DEPRECATED("dbot_rest_interaction_followup");
DBOT_API int dbot_followup_edit(dbot *bot, uint64_t app_id, const char *token,
                                uint64_t message_id, const cJSON *msg,
                                dbot_rest_fn cb, void *data)
    DBOT_DEPRECATED("dbot_rest_interaction_followup_edit");
DBOT_API int dbot_followup_delete(dbot *bot, uint64_t app_id, const char *token,
                                  uint64_t message_id, dbot_rest_fn cb,
                                  void *data)
    DBOT_DEPRECATED("dbot_rest_interaction_followup_delete");
DBOT_API int dbot_original_edit(dbot *bot, uint64_t app_id, const char *token,
                                const cJSON *msg, dbot_rest_fn cb, void *data)
    DBOT_DEPRECATED("dbot_rest_interaction_original_edit");
DBOT_API int dbot_original_delete(dbot *bot, uint64_t app_id, const char *token,
                                  dbot_rest_fn cb, void *data)
    DBOT_DEPRECATED("dbot_rest_interaction_original_delete");
#endif

#ifdef __cplusplus
}
#endif
#endif /* DBOT_REST_H */
