/*
 * api_checks.c: the public <dbot/checks.h> calls: checked command routes
 * (checks.c in front of the handler), the owners, the error hook.
 */
#include <dbot/checks.h>

#include "bot.h"
#include "checks.h"
#include "interaction.h"

int
dbot_on_command_checked_named(dbot *bot, const char *path,
                              dbot_interaction_fn fn, const char *name,
                              void *data, const dbot_checks *checks)
{
    struct dbot__checks *cs;
    void *box;
    int rc;

    if (!bot || !path || !*path || !fn)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    cs = dbot__bot_checks(bot);
    if (!cs)
        return DBOT_ESHUTDOWN;
    box = dbot__checks_box(cs, checks, fn, data, &rc);
    if (!box)
        return rc;
    /* The route runs the checks, then fn; the logs name the user's
     * handler. The box lives until dbot_free (as a route does). */
    return dbot__interactions_route_add(dbot__bot_interactions(bot),
                                        DBOT__ROUTE_COMMAND, path, NULL,
                                        dbot__checks_run, name, box);
}

int
dbot_owners_set(dbot *bot, const uint64_t *ids, size_t n)
{
    struct dbot__checks *cs;

    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    cs = dbot__bot_checks(bot);
    return cs ? dbot__checks_set_owners(cs, ids, n) : DBOT_ESHUTDOWN;
}

int
dbot_on_error(dbot *bot, dbot_error_fn fn, void *data)
{
    struct dbot__interactions *ixs;

    if (!bot)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    ixs = dbot__bot_interactions(bot);
    if (!ixs)
        return DBOT_EINVAL;
    dbot__interactions_set_error_hook(ixs, fn, data);
    return 0;
}
