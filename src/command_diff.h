/*
 * command_diff.h: compare the commands we declare with those Discord has,
 * so an unchanged set is never sent again.
 *
 * Pure: two cJSON trees in, a verdict (and a reason) out.
 */
#ifndef DBOT_SRC_COMMAND_DIFF_H
#define DBOT_SRC_COMMAND_DIFF_H

#include <stddef.h>

#include <cjson/cJSON.h>

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
