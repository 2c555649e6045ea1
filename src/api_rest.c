/*
 * api_rest.c: the public REST entry points (dbot/rest.h, reactions and
 * messages included). Each checks its thread and hands the bot's REST
 * client to the route's implementation in rest_routes.c or
 * rest_reactions.c; the work is there, so the interaction module and the
 * command sync use it without going through the bot.
 */
#include "bot.h"
#include "rest.h"

int
dbot_rest_ex(dbot *bot, const char *method, const char *path, const cJSON *body,
             const dbot_rest_opts *opts, dbot_rest_fn cb, void *data)
{
    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    return dbot__rest_ex(dbot__bot_rest(bot), method, path, body, opts, cb,
                         data);
}

int
dbot_rest(dbot *bot, const char *method, const char *path, const cJSON *body,
          dbot_rest_fn cb, void *data)
{
    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    return dbot__rest_json(dbot__bot_rest(bot), method, path, body, cb, data);
}

int
dbot_message_create(dbot *bot, uint64_t channel_id, const cJSON *msg,
                    dbot_rest_fn cb, void *data)
{
    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    return dbot__rest_message_create(dbot__bot_rest(bot), channel_id, msg, cb,
                                     data);
}

int
dbot_message_send(dbot *bot, uint64_t channel_id, const char *text,
                  dbot_rest_fn cb, void *data)
{
    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    return dbot__rest_message_send(dbot__bot_rest(bot), channel_id, text, cb,
                                   data);
}

int
dbot_rest_interaction_callback(dbot *bot, uint64_t interaction_id,
                               const char *token, const cJSON *body,
                               dbot_rest_fn cb, void *data)
{
    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    return dbot__rest_interaction_callback(dbot__bot_rest(bot), interaction_id,
                                           token, body, cb, data);
}

int
dbot_rest_interaction_followup(dbot *bot, uint64_t app_id, const char *token,
                               const cJSON *msg, dbot_rest_fn cb, void *data)
{
    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    return dbot__rest_interaction_followup(dbot__bot_rest(bot), app_id, token,
                                           msg, cb, data);
}

int
dbot_rest_interaction_followup_edit(dbot *bot, uint64_t app_id,
                                    const char *token, uint64_t message_id,
                                    const cJSON *msg, dbot_rest_fn cb,
                                    void *data)
{
    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    return dbot__rest_interaction_followup_edit(
        dbot__bot_rest(bot), app_id, token, message_id, msg, cb, data);
}

int
dbot_rest_interaction_followup_delete(dbot *bot, uint64_t app_id,
                                      const char *token, uint64_t message_id,
                                      dbot_rest_fn cb, void *data)
{
    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    return dbot__rest_interaction_followup_delete(dbot__bot_rest(bot), app_id,
                                                  token, message_id, cb, data);
}

int
dbot_rest_interaction_original_edit(dbot *bot, uint64_t app_id,
                                    const char *token, const cJSON *msg,
                                    dbot_rest_fn cb, void *data)
{
    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    return dbot__rest_interaction_original_edit(dbot__bot_rest(bot), app_id,
                                                token, msg, cb, data);
}

int
dbot_rest_interaction_original_delete(dbot *bot, uint64_t app_id,
                                      const char *token, dbot_rest_fn cb,
                                      void *data)
{
    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    return dbot__rest_interaction_original_delete(dbot__bot_rest(bot), app_id,
                                                  token, cb, data);
}

int
dbot_commands_overwrite_global(dbot *bot, uint64_t app_id, const cJSON *cmds,
                               dbot_rest_fn cb, void *data)
{
    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    return dbot__rest_commands_overwrite_global(dbot__bot_rest(bot), app_id,
                                                cmds, cb, data);
}

int
dbot_commands_overwrite_guild(dbot *bot, uint64_t app_id, uint64_t guild_id,
                              const cJSON *cmds, dbot_rest_fn cb, void *data)
{
    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    return dbot__rest_commands_overwrite_guild(dbot__bot_rest(bot), app_id,
                                               guild_id, cmds, cb, data);
}

int
dbot_commands_get_global(dbot *bot, uint64_t app_id, dbot_rest_fn cb,
                         void *data)
{
    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    return dbot__rest_commands_get_global(dbot__bot_rest(bot), app_id, cb,
                                          data);
}

int
dbot_commands_get_guild(dbot *bot, uint64_t app_id, uint64_t guild_id,
                        dbot_rest_fn cb, void *data)
{
    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    return dbot__rest_commands_get_guild(dbot__bot_rest(bot), app_id, guild_id,
                                         cb, data);
}

int
dbot_gateway_bot_get(dbot *bot, dbot_rest_fn cb, void *data)
{
    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    return dbot__rest_gateway_bot_get(dbot__bot_rest(bot), cb, data);
}

int
dbot_application_get(dbot *bot, dbot_rest_fn cb, void *data)
{
    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    return dbot__rest_application_get(dbot__bot_rest(bot), cb, data);
}

int
dbot_reaction_add(dbot *bot, uint64_t channel_id, uint64_t message_id,
                  const char *emoji, dbot_rest_fn cb, void *data)
{
    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    return dbot__rest_reaction_add(dbot__bot_rest(bot), channel_id, message_id,
                                   emoji, cb, data);
}

int
dbot_reaction_remove_own(dbot *bot, uint64_t channel_id, uint64_t message_id,
                         const char *emoji, dbot_rest_fn cb, void *data)
{
    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    return dbot__rest_reaction_remove_own(dbot__bot_rest(bot), channel_id,
                                          message_id, emoji, cb, data);
}

int
dbot_reaction_remove_user(dbot *bot, uint64_t channel_id, uint64_t message_id,
                          const char *emoji, uint64_t user_id, dbot_rest_fn cb,
                          void *data)
{
    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    return dbot__rest_reaction_remove_user(
        dbot__bot_rest(bot), channel_id, message_id, emoji, user_id, cb, data);
}
