/*
 * dbot/checks.h: per-command checks and cooldowns, declared with the
 * handler, and one bot-wide hook that sees every handler error and every
 * answer the framework gave in a handler's place.
 *
 *   static const dbot_checks purge_checks = {
 *       .guild_only = true,
 *       .member_permissions = DBOT_PERM_MANAGE_MESSAGES,  <dbot/permissions.h>
 *       .cooldown = { .scope = DBOT_COOLDOWN_USER, .uses = 1,
 *                     .per_ms = 10000 },
 *   };
 *   dbot_on_command_checked(bot, "purge", on_purge, NULL, &purge_checks);
 *   dbot_on_error(bot, report_error, NULL);
 *
 * A refused interaction never reaches its handler: the user gets an
 * ephemeral answer that says why ("You need these permissions: ...",
 * "You can use this again in 7 s.") and the error hook is told. The checks
 * read what Discord sends with every interaction: `member.permissions`
 * (the member's permissions in the channel, overwrites included) and
 * `app_permissions` (the bot's), so they cost no request and no cache.
 *
 * THREADS. Loop thread, like every handler.
 */
#ifndef DBOT_CHECKS_H
#define DBOT_CHECKS_H

#include <dbot/dbot.h>
#include <dbot/interaction.h>

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Whose uses a cooldown counts together. Outside a guild (a DM),
 * DBOT_COOLDOWN_GUILD counts per channel. */
enum dbot_cooldown_scope {
    DBOT_COOLDOWN_NONE = 0,
    DBOT_COOLDOWN_USER,    /* each user, across channels and guilds */
    DBOT_COOLDOWN_CHANNEL, /* everyone in one channel */
    DBOT_COOLDOWN_GUILD,   /* everyone in one guild */
};

typedef struct dbot_cooldown {
    int scope;  /* enum dbot_cooldown_scope; NONE: no cooldown */
    int uses;   /* uses allowed per window (>= 1; 0 means 1) */
    int per_ms; /* the window, from the first use (>= 1 ms) */
} dbot_cooldown;

/* Checks run in this order; the first that fails answers. */
typedef struct dbot_checks {
    bool guild_only;             /* refuse in DMs and group DMs */
    bool owner_only;             /* only the application's owners: its
                                    team's members or its owner, asked of
                                    Discord (GET /applications/@me) when the
                                    first such check is declared; or the
                                    ids given to dbot_owners_set */
    uint64_t member_permissions; /* bits the invoking member must have
                                    (ADMINISTRATOR passes every bit) */
    uint64_t bot_permissions;    /* bits the bot must have in the channel */
    dbot_cooldown cooldown;
} dbot_checks;

/* Name: dbot_on_command_checked (macro), dbot_on_command_checked_named
 * Desc: dbot_on_command_named with checks: fn runs only when every check
 *       in `checks` passes (copied; NULL: none). A refusal is answered
 *       with an ephemeral message naming the reason (for a cooldown, the
 *       time left) and reported to the error hook as DBOT_ERROR_CHECK or
 *       DBOT_ERROR_COOLDOWN. A use counts against the cooldown when the
 *       handler is about to run. Cooldown state is one small entry per
 *       (command, scope id) while its window lasts, on the loop's timer
 *       heap, at most 100,000 at once (beyond that new users are refused
 *       as cooling down and a warning is logged). Loop thread.
 * Returns: 0; DBOT_EINVAL (as dbot_on_command_named, or a cooldown with a
 *       bad scope, uses < 0 or per_ms out of range); DBOT_ENOMEM;
 *       DBOT_EWRONGTHREAD. */
#define dbot_on_command_checked(bot, path, fn, data, checks) \
    dbot_on_command_checked_named(bot, path, fn, #fn, data, checks)
DBOT_API int dbot_on_command_checked_named(dbot *bot, const char *path,
                                           dbot_interaction_fn fn,
                                           const char *name, void *data,
                                           const dbot_checks *checks);

/* Name: dbot_owners_set
 * Desc: the user ids that pass `owner_only` checks (copied; replaces the
 *       owners learned from the application, which are then no longer
 *       asked for; n = 0 leaves no owner). With no owner known,
 *       owner_only commands refuse everyone, with a warning in the log.
 *       Loop thread.
 * Returns: 0; DBOT_EINVAL (bot NULL, or ids NULL with n > 0, or n over
 *       64); DBOT_ENOMEM; DBOT_EWRONGTHREAD. */
DBOT_API int dbot_owners_set(dbot *bot, const uint64_t *ids, size_t n);

/* What went wrong, for the error hook. */
enum dbot_error_kind {
    DBOT_ERROR_HANDLER = 1, /* a handler returned < 0 (err: its value) */
    DBOT_ERROR_NO_RESPONSE, /* a handler let go without answering */
    DBOT_ERROR_UNKNOWN,     /* no route for the command or custom_id */
    DBOT_ERROR_TIMED_OUT,   /* deferred, never completed in time (or an
                               offloaded job that never started) */
    DBOT_ERROR_REFUSED,     /* Discord refused the answer (err: its
                               JSON error code, or the HTTP status) */
    DBOT_ERROR_BUSY,        /* the worker queue was full */
    DBOT_ERROR_CHECK,       /* a check refused (err: DBOT_ESTATE) */
    DBOT_ERROR_COOLDOWN,    /* cooling down (retry_after_ms) */
    DBOT_ERROR_SHUTDOWN,    /* told "the bot is restarting" */
};

typedef struct dbot_error_info {
    int kind;                /* enum dbot_error_kind */
    int err;                 /* as each kind says; 0 when none */
    uint64_t interaction_id; /* 0 when not about one interaction */
    const char *route;       /* command path or custom_id, or NULL */
    const char *handler;     /* the handler's name, or NULL */
    const char *user_text;   /* what the user was told, or NULL (nothing,
                                or an empty autocomplete list) */
    int64_t retry_after_ms;  /* DBOT_ERROR_COOLDOWN: time left */
    const cJSON *json;       /* the interaction, or NULL */
} dbot_error_info;

/* Runs on the loop thread, once per event; everything in `e` is borrowed
 * until it returns. Must not block (it may log, count, or post a report
 * with dbot_rest). */
typedef void (*dbot_error_fn)(dbot *bot, const dbot_error_info *e, void *data);

/* Name: dbot_on_error
 * Desc: the one bot-wide error hook (discord.py's on_app_command_error):
 *       fn sees every handler error and every answer the framework gave
 *       in a handler's place (unknown route, no response, timed out,
 *       refused by Discord, busy, check or cooldown refusal, shutdown).
 *       The framework has already answered the user when fn runs; the log
 *       lines stay as they were. A later call replaces fn; NULL removes
 *       it. `data` is passed as is. Loop thread.
 * Returns: 0; DBOT_EINVAL (bot NULL); DBOT_EWRONGTHREAD. */
DBOT_API int dbot_on_error(dbot *bot, dbot_error_fn fn, void *data);

/* Name: dbot_error_kind_name
 * Desc: a short stable name for a kind ("handler", "no_response",
 *       "unknown", "timed_out", "refused", "busy", "check", "cooldown",
 *       "shutdown"), for logs and metrics. Any thread.
 * Returns: the name (static), or "?" for an unknown kind. */
DBOT_API const char *dbot_error_kind_name(int kind);

#ifdef __cplusplus
}
#endif

#endif
