/*
 * config_scale.h: the scale-out settings of config.json (pure): which shards
 * this process runs ("shard_ids") and where the bot's processes coordinate
 * ("redis_url"), with their environment overrides DBOT_SHARDS,
 * DBOT_SHARD_IDS and DBOT_REDIS_URL (README "Running a large bot").
 */
#ifndef DBOT_SRC_CONFIG_SCALE_H
#define DBOT_SRC_CONFIG_SCALE_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* Name: dbot__shard_ids_parse
 * Desc: "shard_ids" as JSON: an array of integers ([0, 1, 5]) or a string
 *       of integers and "first-last" ranges separated by commas ("0-15",
 *       "0-3,8"). Each id in [0, 65534], none twice. *ids gets a sorted
 *       malloc'd array (the caller's) and *n its length.
 * Returns: 0, DBOT_ECONFIG (message in err), or DBOT_ENOMEM. */
int dbot__shard_ids_parse(const cJSON *v, int **ids, int *n, char *err,
                          size_t errlen);
/* The same for the string form alone (DBOT_SHARD_IDS). */
int dbot__shard_ids_parse_text(const char *s, int **ids, int *n, char *err,
                               size_t errlen);

/* Name: dbot__config_scale_env
 * Desc: apply DBOT_SHARDS, DBOT_SHARD_IDS and DBOT_REDIS_URL from `env`
 *       over cfg, then check the result: shard_ids need a total ("shards"
 *       > 0, since processes that each asked Discord could disagree) and
 *       must be below it; a redis_url must parse, and its password is
 *       registered with the logger as a secret.
 * Returns: 0 or DBOT_ECONFIG (message in err). */
int dbot__config_scale_env(struct dbot_config *cfg,
                           const char *(*env)(const char *name), char *err,
                           size_t errlen);

/* Name: dbot__config_app_id
 * Desc: the bot's application id: "application_id", else the one the
 *       token starts with (its first part is the bot's user id, which is
 *       the application id, in base64). Names the bot's keys in Redis.
 * Returns: the id, or 0 when neither gives one. */
uint64_t dbot__config_app_id(const struct dbot_config *cfg);

#endif
