/*
 * interaction_registry.c: the bot's interaction registry: its creation and
 * end, the settings and counters it keeps, the replay guard's periodic
 * expiry, READY (the application id, the command sync) and the dbot_on_*
 * registration calls. One interaction's life is in interaction.c.
 */
#include "interaction_impl.h"
#include "clock.h"

#include "config.h"
#include "log.h"

#include <stdlib.h>

/* Replay guard: ids remembered at once. A token's life at 1,000
 * interactions a second is 900,000; beyond that the oldest are forgotten
 * early (32 bytes each: 32 MiB at the cap). */
#define SEEN_MAX (1u << 20)

/* ---- registry ---------------------------------------------------------------
 */

int
dbot__interactions_new(struct dbot__interactions **out,
                       const struct dbot__interactions_deps *d)
{
    struct dbot__interactions *ixs = calloc(1, sizeof *ixs);

    if (!ixs)
        return DBOT_ENOMEM;
    ixs->d = *d;
    ixs->bot = d->bot;
    ixs->token_life_ms = TOKEN_LIFE_MS;
    dbot__ix_seen_init(&ixs->seen, TOKEN_LIFE_MS, SEEN_MAX);
    if (dbot__routes_new(&ixs->routes) < 0) {
        free(ixs);
        return DBOT_ENOMEM;
    }
    *out = ixs;
    return 0;
}

void
dbot__interactions_free(struct dbot__interactions *ixs)
{
    dbot_interaction *ix, *next;

    if (!ixs)
        return;
    /* References a handler never dropped: the bot is gone, and so is the
     * lws context their timers were on (not to be touched). */
    for (ix = ixs->live; ix; ix = next) {
        next = ix->live_next;
        /* An HTTP transport's request ended with its listener, which
         * stopped first: release only frees its record. */
        if (ix->transport.release)
            ix->transport.release(ix->transport.ud);
        dbot__ack_unref(ix->ack); /* the gateway thread has stopped */
        cJSON_Delete(ix->parked_edit);
        dbot__json_clone_free(ix->json);
        free(ix->path);
        free(ix);
    }
    dbot__routes_free(ixs->routes);
    dbot__ix_seen_close(&ixs->seen);
    dbot__fallbacks_free(&ixs->fallbacks);
    cJSON_Delete(ixs->commands);
    free(ixs->offload.busy_text);
    free(ixs);
}

int
dbot__interactions_set_commands(struct dbot__interactions *ixs, cJSON *commands)
{
    cJSON_Delete(ixs->commands);
    ixs->commands = commands;
    /* Declared after READY: sync now rather than at the next session. */
    if (ixs->app_id && ixs->synced)
        dbot__interactions_sync_commands(ixs, commands, ixs->app_id);
    return 0;
}

void
dbot__interactions_on_ready(struct dbot__interactions *ixs, const cJSON *d)
{
    const cJSON *app = cJSON_GetObjectItemCaseSensitive(d, "application");
    uint64_t id =
        dbot_json_snowflake(cJSON_GetObjectItemCaseSensitive(app, "id"));
    uint64_t cfg_id = ixs->d.cfg->application_id;

    ixs->app_id = cfg_id ? cfg_id : id;
    if (ixs->synced)
        return;
    ixs->synced = 1;
    if (!ixs->app_id) {
        LOG_W("commands", "no application id in READY or config; commands "
                          "not registered");
        return;
    }
    dbot__interactions_sync_commands(ixs, ixs->commands, ixs->app_id);
}

void
dbot__interactions_stats(const struct dbot__interactions *ixs,
                         struct dbot__ix_stats *out)
{
    *out = ixs->stats;
}

void
dbot__interactions_tick(struct dbot__interactions *ixs)
{
    dbot__ix_seen_expire(&ixs->seen, dbot__clock_ms());
}

void
dbot__interactions_set_token_life(struct dbot__interactions *ixs, int64_t ms)
{
    ixs->token_life_ms = ms;
    ixs->seen.life_ms = ms;
}

struct dbot__routes *
dbot__interactions_routes(struct dbot__interactions *ixs)
{
    return ixs->routes;
}

struct dbot__offload_conf *
dbot__interactions_offload_conf(struct dbot__interactions *ixs)
{
    return &ixs->offload;
}

int
dbot__interactions_route_add(struct dbot__interactions *ixs,
                             enum dbot__route_kind kind, const char *key,
                             const char *option, dbot_interaction_fn fn,
                             const char *name, void *data)
{
    return dbot__routes_add(ixs->routes, kind, key, option, fn, name, data);
}

int
dbot__interactions_set_fallback(struct dbot__interactions *ixs, int which,
                                const char *locale, const char *text)
{
    return dbot__fallbacks_set(&ixs->fallbacks, which, locale, text);
}
