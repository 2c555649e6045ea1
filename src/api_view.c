/*
 * api_view.c: the public <dbot/view.h> calls that need the bot: making a
 * view or a modal wait, and editing a view's message (through its
 * interaction's token, or REST).
 */
#include <dbot/view.h>

#include "bot.h"
#include "views.h"

#include <dbot/interaction.h>
#include <dbot/rest.h>

#include <inttypes.h>
#include <stdio.h>

int
dbot_view_new(dbot *bot, const dbot_view_opts *o, dbot_view **out)
{
    struct dbot__views *vs;

    if (out)
        *out = NULL;
    if (!bot || !o || !out)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    vs = dbot__bot_views(bot);
    if (!vs)
        return DBOT_ESHUTDOWN;
    return dbot__views_create(vs, o, out);
}

int
dbot_modal_wait(dbot *bot, uint64_t user_id, int64_t timeout_ms,
                dbot_wait_fn fn, void *data, char *custom_id, size_t len)
{
    struct dbot__views *vs;

    if (!bot || !fn || !custom_id)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    vs = dbot__bot_views(bot);
    if (!vs)
        return DBOT_ESHUTDOWN;
    return dbot__views_modal_wait(vs, user_id, timeout_ms, fn, data, custom_id,
                                  len);
}

int
dbot_view_edit_json(dbot_view *v, const cJSON *message)
{
    dbot_interaction *ix;
    uint64_t channel, msg;
    char path[96];
    dbot *bot = dbot_view_bot(v);

    if (!v || !message)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    dbot__view_target(v, &ix, &channel, &msg);
    if (ix)
        return dbot_interaction_original_edit_json(ix, message);
    if (!channel || !msg)
        return DBOT_ENOENT;
    snprintf(path, sizeof path, "/channels/%" PRIu64 "/messages/%" PRIu64,
             channel, msg);
    return dbot_rest(bot, "PATCH", path, message, NULL, NULL);
}

int
dbot_view_edit_msg(dbot_view *v, const dbot_msg *m)
{
    cJSON *json;
    int rc;

    if (!v || !m)
        return DBOT_EINVAL;
    json = dbot_msg_json(m);
    if (!json)
        return DBOT_EINVAL;
    rc = dbot_view_edit_json(v, json);
    cJSON_Delete(json);
    return rc;
}
