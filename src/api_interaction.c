/*
 * api_interaction.c: the public calls that configure a bot's interactions
 * (routes, commands, offload settings). Each checks its thread and hands
 * the bot's interaction registry to the interaction module, which does
 * the work; calls on one interaction (dbot_interaction_*) are in
 * interaction_api.c and need no bot.
 */
#include "bot.h"
#include "command.h"
#include "interaction.h"
#include "log.h"

#include <string.h>

static int
add_route(dbot *bot, enum dbot__route_kind kind, const char *key,
          const char *option, dbot_interaction_fn fn, const char *name,
          void *data)
{
    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    /* "dbot." custom_ids belong to views and waits (<dbot/view.h>). */
    if ((kind == DBOT__ROUTE_COMPONENT || kind == DBOT__ROUTE_MODAL) && key &&
        strncmp(key, "dbot.", 5) == 0)
        return DBOT_EINVAL;
    return dbot__interactions_route_add(dbot__bot_interactions(bot), kind, key,
                                        option, fn, name, data);
}

int
dbot_on_command_named(dbot *bot, const char *path, dbot_interaction_fn fn,
                      const char *name, void *data)
{
    return add_route(bot, DBOT__ROUTE_COMMAND, path, NULL, fn, name, data);
}

int
dbot_on_component_named(dbot *bot, const char *custom_id,
                        dbot_interaction_fn fn, const char *name, void *data)
{
    return add_route(bot, DBOT__ROUTE_COMPONENT, custom_id, NULL, fn, name,
                     data);
}

int
dbot_on_modal_named(dbot *bot, const char *custom_id, dbot_interaction_fn fn,
                    const char *name, void *data)
{
    return add_route(bot, DBOT__ROUTE_MODAL, custom_id, NULL, fn, name, data);
}

int
dbot_on_autocomplete_named(dbot *bot, const char *path, const char *option,
                           dbot_interaction_fn fn, const char *name, void *data)
{
    return add_route(bot, DBOT__ROUTE_AUTOCOMPLETE, path, option, fn, name,
                     data);
}

int
dbot_interaction_set_busy_message(dbot *bot, const char *text)
{
    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    return dbot__interactions_set_busy_message(dbot__bot_interactions(bot),
                                               text);
}

int
dbot_interaction_set_fallback_text(dbot *bot, int which, const char *locale,
                                   const char *text)
{
    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    return dbot__interactions_set_fallback(dbot__bot_interactions(bot), which,
                                           locale, text);
}

int
dbot_interaction_set_offload_deadline(dbot *bot, int ms)
{
    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    return dbot__interactions_set_offload_deadline(dbot__bot_interactions(bot),
                                                   ms);
}

int
dbot_commands_set(dbot *bot, const struct dbot_command *const *cmds, size_t n)
{
    char err[256];
    cJSON *json;

    if (!bot || (!cmds && n))
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    json = dbot__commands_to_json(cmds, n, err, sizeof err);
    if (!json) {
        LOG_E("commands", "%s", err);
        return DBOT_EINVAL;
    }
    return dbot__interactions_set_commands(dbot__bot_interactions(bot), json);
}
