/*
 * command.h: dbot_command declarations -> the bulk-overwrite payload. The
 * comparison that decides whether it must be sent is in command_diff.h.
 *
 * Pure: structs in, cJSON out. No sockets, no clocks.
 */
#ifndef DBOT_SRC_COMMAND_H
#define DBOT_SRC_COMMAND_H

#include <dbot/command.h>

#include <stddef.h>

#include <cjson/cJSON.h>

#include "command_diff.h"

/* Limits per scope (global, or one guild). */
#include "discord_limits.h"

/* Validate cmds[0..n) against Discord's rules and build the JSON array for
 * PUT /applications/{id}[/guilds/{gid}]/commands. On failure returns NULL
 * and writes a message naming the command and option path to err, e.g.
 * `command "perm" option "user.get.target": description is empty
 * (1-100 characters)`; on allocation failure the message says so.
 * The caller owns the result. */
cJSON *dbot__commands_to_json(const dbot_command *const *cmds, size_t n,
                              char *err, size_t errlen);

#endif
