/*
 * api_checks.c: the public <dbot/checks.h> calls: checked command routes
 * (checks.c in front of the handler), the owners, the error hook.
 */
#include <dbot/checks.h>

#include "bot.h"
#include "checks.h"
#include "interaction.h"
#include "log.h"

#include <dbot/rest.h>

/* The application's owners, for owner_only checks. The bot, not the
 * checks module, is the callback's data: the module may be gone by the
 * time a cancelled request reports. */
static void
owners_fetched(dbot *bot, const dbot_rest_result *res, void *data)
{
    struct dbot__checks *cs = dbot__bot_checks(bot);
    int n;

    (void)data;
    if (!cs || res->err == DBOT_ECANCELED)
        return;
    if (res->err) {
        LOG_W("checks",
              "cannot learn the application's owners (%s): owner_only "
              "commands refuse everyone until dbot_owners_set",
              res->message ? res->message : dbot_strerror(res->err));
        return;
    }
    n = dbot__checks_learn_owners(cs, res->json);
    LOG_I("checks",
          "owner_only commands are for %d owner(s) of the "
          "application",
          n);
}

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
    if (dbot__checks_should_ask_owner(cs, checks) &&
        dbot_application_get(bot, owners_fetched, NULL) < 0)
        LOG_W("checks", "cannot ask Discord for the application's owners");
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
