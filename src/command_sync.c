/*
 * command_sync.c: register the bot's commands only when they changed.
 *
 * Each PUT that creates commands counts toward Discord's 200 creates per
 * day, and bots restart far more often than their commands change. So after
 * the first READY we GET what Discord has (in the dev guild when one is
 * configured, else globally), compare it with what the bot declared, and
 * PUT the whole set only if they differ. Later READYs (a new session after
 * op 9) do not repeat this.
 */
#include "interaction_impl.h"

#include "command.h"
#include "config.h"
#include "log.h"

#include <dbot/interaction_data.h>
#include <dbot/rest.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

struct sync {
    struct dbot__rest *rest;
    cJSON *ours;
    uint64_t app_id, guild_id;
};

static void
sync_free(struct sync *s)
{
    cJSON_Delete(s->ours);
    free(s);
}

static void
put_done(dbot *bot, const dbot_rest_result *res, void *arg)
{
    struct sync *s = arg;

    (void)bot;
    if (res->err)
        LOG_E("commands",
              "registering %d commands failed: HTTP %d, code "
              "%d: %s",
              cJSON_GetArraySize(s->ours), res->status, res->discord_code,
              res->message ? res->message : "");
    else
        LOG_I("commands", "registered %d commands %s",
              cJSON_GetArraySize(s->ours),
              s->guild_id ? "in the dev guild" : "globally");
    sync_free(s);
}

static void
get_done(dbot *bot, const dbot_rest_result *res, void *arg)
{
    struct sync *s = arg;
    char why[256] = "";
    int rc;

    if (res->err == DBOT_ECANCELED) {
        sync_free(s);
        return;
    }
    if (res->err == 0 && cJSON_IsArray(res->json) &&
        dbot__commands_diff(s->ours, res->json, why, sizeof why)) {
        LOG_I("commands", "%d commands already up to date; nothing sent",
              cJSON_GetArraySize(s->ours));
        sync_free(s);
        return;
    }
    if (res->err)
        LOG_W("commands",
              "could not read the registered commands (HTTP %d); "
              "overwriting them",
              res->status);
    else
        LOG_I("commands", "commands changed (%s); overwriting", why);
    rc = s->guild_id
             ? dbot__rest_commands_overwrite_guild(
                   s->rest, s->app_id, s->guild_id, s->ours, put_done, s)
             : dbot__rest_commands_overwrite_global(s->rest, s->app_id, s->ours,
                                                    put_done, s);
    if (rc < 0) {
        LOG_E("commands", "cannot register commands: %s", dbot_strerror(rc));
        sync_free(s);
    }
}

void
dbot__interactions_sync_commands(struct dbot__interactions *ixs,
                                 const cJSON *commands, uint64_t app_id)
{
    const struct dbot_config *cfg = ixs->d.cfg;
    struct sync *s;
    char path[128];
    int rc;

    if (!commands || !app_id)
        return;
    s = calloc(1, sizeof *s);
    if (!s)
        return;
    s->rest = ixs->d.rest;
    s->app_id = app_id;
    s->guild_id = cfg->dev_guild_id;
    s->ours = cJSON_Duplicate(commands, 1);
    if (!s->ours) {
        free(s);
        return;
    }
    (void)ixs;
    /* Without with_localizations Discord leaves out the localizations we
     * may have sent, and a localized command would never compare equal. */
    if (s->guild_id)
        snprintf(path, sizeof path,
                 "/applications/%" PRIu64 "/guilds/%" PRIu64
                 "/commands?with_localizations=true",
                 app_id, s->guild_id);
    else
        snprintf(path, sizeof path,
                 "/applications/%" PRIu64 "/commands?with_localizations=true",
                 app_id);
    rc = dbot__rest_json(ixs->d.rest, "GET", path, NULL, get_done, s);
    if (rc < 0) {
        LOG_E("commands", "cannot read registered commands: %s",
              dbot_strerror(rc));
        sync_free(s);
    }
}
