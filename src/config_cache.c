/*
 * config_cache.c: the "cache" field of the config: true (every kind but
 * presences and messages, with default bounds), false or null (off), or an
 * object that starts from those defaults and sets kinds one by one:
 *
 *   "cache": {"members": 500000, "presences": true, "messages": 50}
 *
 * A kind's value is a bound (0..2^31-1 entries, 0 turns it off) or a
 * boolean (its default bound, or off). "messages" is the per-channel count
 * (the newest N of each channel) and "max_messages" the total over all
 * channels. Unknown keys are errors: a typo would silently cache nothing.
 */
#include "config.h"

#include <dbot/dbot.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const kind_keys[DBOT__CK_COUNT] = {
    "guilds", "channels", "threads",      "roles",     "members",
    "users",  "emojis",   "voice_states", "presences", "max_messages",
};

/* What "true" means per kind: enough for a bot in 100,000 guilds, so the
 * bounds only stop a runaway; presences and messages are off (they churn
 * most and most bots never read them). */
static const uint32_t defaults[DBOT__CK_COUNT] = {
    100000,   5000000, 1000000, 5000000, 20000000,
    20000000, 2000000, 1000000, 0,       1000000,
};
#define DEFAULT_PER_CHANNEL 50

const char *
dbot__cache_kind_key(int k)
{
    return k >= 0 && k < DBOT__CK_COUNT ? kind_keys[k] : NULL;
}

static int
bound(const cJSON *v, uint32_t def, uint32_t *out, const char *key, char *err,
      size_t errlen)
{
    if (cJSON_IsBool(v)) {
        *out = cJSON_IsTrue(v) ? def : 0;
        return 0;
    }
    if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
        v->valuedouble >= 0 && v->valuedouble <= 2147483647.0) {
        *out = (uint32_t)v->valuedouble;
        return 0;
    }
    snprintf(err, errlen,
             "cache.%s: must be true, false or a bound 0..2147483647", key);
    return DBOT_ECONFIG;
}

int
dbot__config_cache(const cJSON *v, struct dbot__cache_config *out, char *err,
                   size_t errlen)
{
    const cJSON *it, *obj;

    memset(out, 0, sizeof *out);
    if (cJSON_IsNull(v) || cJSON_IsFalse(v))
        return 0;
    if (!cJSON_IsTrue(v) && !cJSON_IsObject(v)) {
        snprintf(err, errlen, "cache: must be true, false or an object");
        return DBOT_ECONFIG;
    }
    out->on = 1;
    memcpy(out->max, defaults, sizeof out->max);
    obj = cJSON_IsObject(v) ? v : NULL;
    cJSON_ArrayForEach(it, obj) {
        int k;

        if (strcmp(it->string, "messages") == 0) {
            if (bound(it, DEFAULT_PER_CHANNEL, &out->messages_per_channel,
                      it->string, err, errlen) < 0)
                return DBOT_ECONFIG;
            continue;
        }
        for (k = 0; k < DBOT__CK_COUNT; k++)
            if (strcmp(it->string, kind_keys[k]) == 0)
                break;
        if (k == DBOT__CK_COUNT) {
            snprintf(err, errlen,
                     "cache: unknown kind \"%.40s\" (guilds, channels, "
                     "threads, roles, members, users, emojis, voice_states, "
                     "presences, messages, max_messages)",
                     it->string);
            return DBOT_ECONFIG;
        }
        if (bound(it, defaults[k] ? defaults[k] : 1000000, &out->max[k],
                  it->string, err, errlen) < 0)
            return DBOT_ECONFIG;
    }
    if (!out->messages_per_channel)
        out->max[DBOT__CK_MESSAGES] = 0;
    if (!out->max[DBOT__CK_GUILDS]) {
        static const int need[] = { DBOT__CK_ROLES, DBOT__CK_MEMBERS,
                                    DBOT__CK_EMOJIS, DBOT__CK_VOICE,
                                    DBOT__CK_PRESENCES };

        for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
            if (out->max[need[i]]) {
                snprintf(err, errlen,
                         "cache.%s: needs cache.guilds (it is kept per "
                         "guild)",
                         kind_keys[need[i]]);
                return DBOT_ECONFIG;
            }
        }
    }
    return 0;
}
