/*
 * command.h: dbot_command declarations -> the bulk-overwrite payload, and
 * the comparison that decides whether that payload must be sent at all.
 *
 * Pure: structs in, cJSON out. No sockets, no clocks.
 */
#ifndef DBOT_SRC_COMMAND_H
#define DBOT_SRC_COMMAND_H

#include <dbot/command.h>

#include <stddef.h>

#include <cjson/cJSON.h>

/* Limits per scope (global, or one guild). */
#define DBOT__MAX_CHAT_COMMANDS    100
#define DBOT__MAX_USER_COMMANDS    15
#define DBOT__MAX_MESSAGE_COMMANDS 15

/* Validate cmds[0..n) against Discord's rules and build the JSON array for
 * PUT /applications/{id}[/guilds/{gid}]/commands. On failure returns NULL
 * and writes a message naming the command and option path to err, e.g.
 * `command "perm" option "user.get.target": description is empty
 * (1-100 characters)`; on allocation failure the message says so.
 * The caller owns the result. */
cJSON *dbot__commands_to_json(const dbot_command *const *cmds, size_t n,
                              char *err, size_t errlen);

/* 1 when `ours` (from dbot__commands_to_json) describes the same commands as
 * `theirs` (the body of GET .../commands?with_localizations=true), 0 when
 * they differ, so that an unchanged set is never sent again (each PUT that
 * creates commands counts toward 200 creates per day).
 *
 * Server-added fields (id, application_id, version, guild_id,
 * default_permission, *_localized, handler, ...) are ignored unless ours
 * sets them; absent fields equal their defaults (type 1, required false,
 * autocomplete false, nsfw false, options [], localizations null or {},
 * contexts null or [0,1,2], integration_types [0], dm_permission true,
 * which is only compared when ours sets no contexts); sets (contexts,
 * integration_types, channel_types) compare without order; commands compare by
 * (type, name) in any order, options and choices in order. */
int dbot__commands_equal(const cJSON *ours, const cJSON *theirs);

/* Like dbot__commands_equal, and on a difference writes where it is to why
 * ("primes.options[0].max_value differs"), for the log line that explains
 * why commands are being re-registered. */
int dbot__commands_diff(const cJSON *ours, const cJSON *theirs, char *why,
                        size_t whylen);

#endif
