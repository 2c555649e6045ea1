/*
 * api_presence.c: dbot_presence_set and the gateway commands of
 * <dbot/shard.h>. Validation follows discord-protocol.md §1.5: status
 * online|dnd|idle|invisible, activity types 0..5, bots may set only name,
 * state, type and url, and a url only means something for Streaming
 * (Twitch or YouTube). A custom status (type 4) carries its text in
 * `state`, with the fixed name "Custom Status".
 */
#include "bot.h"
#include "discord_limits.h"

#include "gateway.h"
#include "gateway_thread.h"
#include "gateway_codec.h"
#include "log.h"
#include "utf8.h"

#include <dbot/shard.h>

#include <stdlib.h>
#include <string.h>

#define ACTIVITY_TEXT_MAX 128 /* characters, Discord's limit */

static const char *const STATUSES[] = { "online", "idle", "dnd", "invisible" };
static const char *const STREAM_HOSTS[] = { "https://twitch.tv/",
                                            "https://www.twitch.tv/",
                                            "https://youtube.com/",
                                            "https://www.youtube.com/" };

static int
in_list(const char *s, const char *const *list, size_t n, int prefix)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(list[i]);

        if (prefix ? strncmp(s, list[i], len) == 0 && s[len]
                   : strcmp(s, list[i]) == 0)
            return 1;
    }
    return 0;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* NULL when p can be sent, else why not. */
static const char *
presence_problem(const dbot_presence *p)
{
    long chars;

    if (p->status && !in_list(p->status, STATUSES, COUNT(STATUSES), 0))
        return "status must be online, idle, dnd or invisible";
    if (!p->name)
        return p->url ? "url without an activity name" : NULL;
    if (p->type < DBOT_ACTIVITY_PLAYING || p->type > DBOT_ACTIVITY_COMPETING)
        return "activity type must be 0..5 (DBOT_ACTIVITY_*)";
    chars = dbot__utf8_len(p->name);
    if (chars < 0)
        return "activity name is not valid UTF-8";
    if (chars == 0 || chars > ACTIVITY_TEXT_MAX)
        return "activity name must be 1..128 characters";
    if (p->type == DBOT_ACTIVITY_STREAMING) {
        if (!p->url)
            return "Streaming needs a url";
        if (!in_list(p->url, STREAM_HOSTS, COUNT(STREAM_HOSTS), 1))
            return "url must be a https://twitch.tv/ or https://youtube.com/ "
                   "page";
    } else if (p->url) {
        return "url is only for Streaming";
    }
    return NULL;
}

static cJSON *
activity_json(const dbot_presence *p)
{
    cJSON *a = cJSON_CreateObject();
    int ok;

    if (!a)
        return NULL;
    if (p->type == DBOT_ACTIVITY_CUSTOM)
        ok = cJSON_AddStringToObject(a, "name", "Custom Status") &&
             cJSON_AddStringToObject(a, "state", p->name);
    else
        ok = cJSON_AddStringToObject(a, "name", p->name) != NULL;
    ok = ok && cJSON_AddNumberToObject(a, "type", p->type);
    if (ok && p->url)
        ok = cJSON_AddStringToObject(a, "url", p->url) != NULL;
    if (!ok) {
        cJSON_Delete(a);
        return NULL;
    }
    return a;
}

/* Discord's presence object: {"since":null,"activities":[...],
 * "status":"online","afk":false}. */
static char *
presence_text(const dbot_presence *p)
{
    cJSON *o = cJSON_CreateObject(), *acts, *a;
    char *text = NULL;

    if (!o)
        return NULL;
    acts = cJSON_AddArrayToObject(o, "activities");
    if (!cJSON_AddNullToObject(o, "since") || !acts ||
        !cJSON_AddStringToObject(o, "status",
                                 p->status ? p->status : "online") ||
        !cJSON_AddBoolToObject(o, "afk", p->afk != 0))
        goto out;
    if (p->name) {
        a = activity_json(p);
        if (!a || !cJSON_AddItemToArray(acts, a)) {
            cJSON_Delete(a);
            goto out;
        }
    }
    text = cJSON_PrintUnformatted(o);
out:
    cJSON_Delete(o);
    return text;
}

int
dbot_presence_set(dbot *bot, const dbot_presence *p)
{
    static const dbot_presence online = { 0 };
    const char *why;
    char *text;
    int n;

    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    if (!p)
        p = &online;
    why = presence_problem(p);
    if (why) {
        LOG_E("gateway", "dbot_presence_set: %s", why);
        return DBOT_EINVAL;
    }
    text = presence_text(p);
    if (!text)
        return DBOT_ENOMEM;
    dbot__bot_set_presence(bot, text);
    /* Sent by the gateway thread; a shard whose queue is full catches up
     * with the next change, Resume or Identify. */
    n = dbot__bot_nshards(bot);
    for (int i = 0; i < n; i++)
        dbot__gwt_sync_presence(dbot__bot_gwt(bot), dbot__bot_shard(bot, i));
    return 0;
}

static int
op_allowed(int op)
{
    return op == 3 || op == 4 || op == 8 || op == 31;
}

int
dbot_shard_send(dbot *bot, int shard_id, int op, const cJSON *d)
{
    struct dbot__gateway *gw;
    char *text;
    int rc;

    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    gw = dbot__bot_shard_by_id(bot, shard_id);
    if (!gw || !op_allowed(op) || !cJSON_IsObject(d))
        return DBOT_EINVAL;
    if (dbot__gateway_state(gw) != DBOT__GW_READY)
        return DBOT_ESTATE;
    text = dbot__gw_command(op, d);
    if (!text)
        return DBOT_ENOMEM;
    rc = strlen(text) > DBOT__MAX_GW_PAYLOAD
             ? DBOT_ETOOBIG
             : dbot__gwt_send(dbot__bot_gwt(bot), gw, text, strlen(text));
    free(text);
    return rc;
}

int
dbot_shard_count(const dbot *bot)
{
    int n = bot ? dbot__bot_nshards(bot) : 0;

    return n > 0 ? n : 1;
}

int
dbot_shard_of_guild(const dbot *bot, uint64_t guild_id)
{
    return (int)((guild_id >> 22) % (uint64_t)dbot_shard_count(bot));
}
