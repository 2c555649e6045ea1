/*
 * bot.c: the bot object: the wiring that builds every module, hands each
 * what it needs, and runs the bot's lifecycle on the loop (loop.c).
 *
 * DESIGN. Everything that touches bot state runs on the thread that called
 * dbot_run(). Other threads reach it through dbot_post(), which is
 * loop.c's inbox.
 *
 * Stopping: dbot_stop() sets an atomic flag and wakes the loop; it is safe
 * in a signal handler. The loop then asks every shard to close (with 4000,
 * which keeps the sessions resumable, or 1000 with stop_mode "offline"),
 * and keeps serving until they have closed and in-flight work (jobs, REST
 * requests, their callbacks) has finished, or shutdown_grace_ms passes.
 * service.c then saves the sessions for the next process. SIGHUP re-reads
 * the log level from the config file.
 */
#include "bot.h"
#include "clock.h"

#include "cache.h"
#include "config.h"
#include "config_scale.h"
#include "coord.h"
#include "dispatch.h"
#include "gateway.h"
#include "gateway_thread.h"
#include "health.h"
#include "http.h"
#include "http_interactions.h"
#include "interaction.h"
#include "log.h"
#include "loop.h"
#include "timers.h"
#include "checks.h"
#include "views.h"
#include "resolve.h"
#include "rest.h"
#include "service.h"
#include "workers.h"

#include <libwebsockets.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STOP_GRACE_MS    3000
#define SECOND_SIGNAL_MS 1000 /* a repeat sooner is the same request */
#define TICK_MS          250
#define GIVE_UP_FLUSH_MS 2000 /* for "restarting" answers at shutdown */

struct post_box {
    dbot_post_fn fn;
    void *arg;
    dbot *bot;
};

struct dbot {
    struct dbot_config cfg;
    struct dbot__loop *loop;

    atomic_int stop_requested;
    int stopping;             /* loop side: shutdown started */
    int64_t stop_deadline;    /* for closing the gateway connections */
    int64_t work_deadline;    /* for in-flight work (shutdown_grace_ms) */
    int64_t give_up_deadline; /* for the "restarting" answers, 0: none */
    int exit_code;

    struct dbot__dispatch *dispatch;
    struct dbot__health *health;
    struct dbot__pool *pool;
    struct dbot__rest *rest;
    struct dbot__interactions *interactions;
    struct dbot__timers *timers; /* dbot_timer_* (timers.c) */
    struct dbot__checks *checks; /* checked routes, cooldowns */
    struct dbot__views *views;   /* dbot_view_*, waits (views.c) */
    struct dbot__http_ix *ixl;   /* interactions_listen, or NULL */
    struct dbot__resolver *resolver;
    struct dbot__cache *cache;     /* NULL unless "cache" is in the config */
    struct dbot__shard_set shards; /* the service reads it through &shards */
    struct dbot__gwt *gwt;         /* the thread the shards run on */
    int shards_planned;            /* the shard count is settled */
    struct dbot__coord *coord; /* with redis_url: the bot's other processes */
    int *shard_ids;            /* the shards.ids this process runs, or NULL */

    struct dbot__timer tick; /* every TICK_MS on the loop */
    cJSON *self_user;

    struct dbot__service *svc;
    pthread_mutex_t presence_mu; /* the gateway thread reads these */
    char *presence_json;   /* dbot_presence_set (api_presence.c), or NULL */
    unsigned presence_gen; /* bumped on every change */
    int reloadable;        /* made by dbot_new: SIGHUP re-reads the file */
    char *config_path;     /* as given to dbot_new (NULL: resolved again) */
};

/* Only the signal handler reads this; set while dbot_run() runs. */
static dbot *volatile signal_bot;
static volatile sig_atomic_t signal_count;
static volatile int64_t signal_first_ms; /* written before count moves */
static volatile sig_atomic_t hup_pending;

int64_t
dbot_now_ms(void)
{
    return dbot__clock_ms();
}

/* ---- inbox ------------------------------------------------------------- */

int
dbot__post_task(void *vbot, dbot__task_fn fn, void *arg)
{
    dbot *bot = vbot;

    return dbot__loop_post(bot->loop, fn, arg);
}

static void
run_post_box(void *arg)
{
    struct post_box *pb = arg;

    pb->fn(pb->bot, pb->arg);
    free(pb);
}

int
dbot_post(dbot *bot, dbot_post_fn fn, void *arg)
{
    struct post_box *pb;
    int rc;

    if (!bot || !fn)
        return DBOT_EINVAL;
    pb = malloc(sizeof *pb);
    if (!pb)
        return DBOT_ENOMEM;
    pb->fn = fn;
    pb->arg = arg;
    pb->bot = bot;
    rc = dbot__post_task(bot, run_post_box, pb);
    if (rc < 0)
        free(pb);
    return rc;
}

/* ---- accessors ---------------------------------------------------------- */

struct lws_context *
dbot__bot_lws(dbot *bot)
{
    return dbot__loop_lws(bot->loop);
}

const struct dbot_config *
dbot__bot_config(const dbot *bot)
{
    return &bot->cfg;
}

struct dbot__rest *
dbot__bot_rest(dbot *bot)
{
    return bot->rest;
}

struct dbot__pool *
dbot__bot_pool(dbot *bot)
{
    return bot->pool;
}

struct dbot__health *
dbot__bot_health(dbot *bot)
{
    return bot->health;
}

struct dbot__dispatch *
dbot__bot_dispatch(dbot *bot)
{
    return bot->dispatch;
}

struct dbot__timers *
dbot__bot_timers(dbot *bot)
{
    return bot->timers;
}

struct dbot__views *
dbot__bot_views(dbot *bot)
{
    return bot->views;
}

struct dbot__checks *
dbot__bot_checks(dbot *bot)
{
    return bot->checks;
}

struct dbot__interactions *
dbot__bot_interactions(dbot *bot)
{
    return bot->interactions;
}

/* A copy: the gateway thread asks while the loop may set a new one. */
char *
dbot__bot_presence_copy(dbot *bot, unsigned *gen)
{
    char *copy;

    pthread_mutex_lock(&bot->presence_mu);
    if (gen)
        *gen = bot->presence_gen;
    copy = bot->presence_json ? strdup(bot->presence_json) : NULL;
    pthread_mutex_unlock(&bot->presence_mu);
    return copy;
}

void
dbot__bot_set_presence(dbot *bot, char *json)
{
    pthread_mutex_lock(&bot->presence_mu);
    free(bot->presence_json);
    bot->presence_json = json;
    bot->presence_gen++;
    pthread_mutex_unlock(&bot->presence_mu);
}

struct dbot__gwt *
dbot__bot_gwt(dbot *bot)
{
    return bot->gwt;
}

struct dbot__gateway *
dbot__bot_shard(dbot *bot, int i)
{
    return i >= 0 && i < bot->shards.n ? bot->shards.v[i] : NULL;
}

struct dbot__gateway *
dbot__bot_shard_by_id(dbot *bot, int shard_id)
{
    for (int i = 0; i < bot->shards.n; i++)
        if (dbot__shard_set_id(&bot->shards, i) == shard_id)
            return bot->shards.v[i];
    return NULL;
}

int
dbot__bot_nshards(const dbot *bot)
{
    return bot->shards.n;
}

struct dbot__resolver *
dbot__bot_resolver(dbot *bot)
{
    return bot->resolver;
}

struct dbot__cache *
dbot__bot_cache(dbot *bot)
{
    return bot->cache;
}

int
dbot__on_loop_thread(const dbot *bot)
{
    return !bot->loop || dbot__loop_on_thread(bot->loop);
}

int
dbot_is_stopping(const dbot *bot)
{
    return atomic_load(&bot->stop_requested) != 0;
}

const cJSON *
dbot_self(const dbot *bot)
{
    return bot->self_user;
}

void
dbot__bot_set_self(dbot *bot, const cJSON *user)
{
    cJSON *copy;

    /* Every shard's READY carries the same user: keep the object a
     * handler may hold (dbot_self) unless it really changed. */
    if (user && bot->self_user && cJSON_Compare(user, bot->self_user, 1))
        return;
    copy = user ? cJSON_Duplicate(user, 1) : NULL;
    if (user && !copy)
        return; /* keep the old one rather than none */
    cJSON_Delete(bot->self_user);
    bot->self_user = copy;
}

int64_t
dbot_heartbeat_latency_ms(const dbot *bot, int shard_id)
{
    struct dbot__gateway *gw = dbot__bot_shard_by_id((dbot *)bot, shard_id);

    return gw ? dbot__gateway_latency_ms(gw) : -1;
}

/* Shard 0 learned Discord's recommendation (GET /gateway/bot) with
 * "shards": 0 in the config, and already identifies as shard 0 of `n`:
 * start the others before anyone else identifies (the gateway thread's
 * identify gate spaces them). */
static void
shard_plan(void *ud, int n, const char *gateway_url)
{
    dbot *bot = ud;
    struct dbot__gateway **v;

    if (bot->shards_planned)
        return;
    bot->shards_planned = 1;
    if (n <= 1 || bot->stopping)
        return;
    v = realloc(bot->shards.v, (size_t)n * sizeof *v);
    if (!v) {
        LOG_E("gateway", "out of memory starting %d shards; stopping", n);
        dbot__bot_fatal(bot, DBOT_ENOMEM);
        return;
    }
    bot->shards.v = v;
    LOG_I("gateway", "Discord recommends %d shards; starting them", n);
    /* Leased like configured shards: one another process runs is refused
     * at its identify gate (gateway_thread.c). */
    if (bot->coord && dbot__coord_add_shards(bot->coord, 1, n - 1) < 0)
        LOG_E("coord", "out of memory leasing shards 1-%d", n - 1);
    for (int i = 1; i < n; i++) {
        if (dbot__gateway_new(&bot->shards.v[i], i, n,
                              dbot__gwt_hooks(bot->gwt)) < 0) {
            /* Shards i..n-1 would never connect: their guilds' events
             * would be lost without a word. Stop instead. */
            LOG_E("gateway", "out of memory starting shard %d of %d; stopping",
                  i, n);
            dbot__bot_fatal(bot, DBOT_ENOMEM);
            break;
        }
        bot->shards.n++;
        dbot__gateway_set_url(bot->shards.v[i], gateway_url);
        if (dbot__gwt_add_shard(bot->gwt, bot->shards.v[i]) < 0) {
            LOG_E("gateway", "out of memory starting shard %d of %d; stopping",
                  i, n);
            dbot__bot_fatal(bot, DBOT_ENOMEM);
            break;
        }
    }
}

void
dbot__bot_fatal(dbot *bot, int err)
{
    if (bot->exit_code == 0)
        bot->exit_code = err;
    dbot_stop(bot);
}

/* ---- the event sink ---------------------------------------------------- */

/* Every dispatch of every shard comes here, in order, and goes to its
 * consumers: the framework's own (the bot user, interactions, /metrics'
 * count by type), then the user's handlers. A new consumer (a cache, an
 * HTTP interactions listener feeding the same path) plugs in here, not in
 * the gateway. */
static void
on_dispatch(dbot *bot, const dbot_event *ev, struct dbot__ack *ack)
{
    /* The cache first: a handler sees it as of this event. */
    dbot__cache_apply(bot->cache, ev->name, ev->data, ev->shard_id);
    if (strcmp(ev->name, "READY") == 0) {
        dbot__bot_set_self(bot,
                           cJSON_GetObjectItemCaseSensitive(ev->data, "user"));
        dbot__interactions_on_ready(bot->interactions, ev->data);
    } else if (strcmp(ev->name, "INTERACTION_CREATE") == 0) {
        dbot__interactions_on_event(bot->interactions, ev->data, ack);
    } else if (strncmp(ev->name, "MESSAGE_DELETE", 14) == 0) {
        dbot__views_on_event(bot->views, ev->name, ev->data);
    }
    dbot__service_on_event(bot->svc, ev->name);
    dbot__dispatch_event(bot->dispatch, bot, ev, bot->health);
}

/* A batch of one shard's events from the gateway thread, in order. */
static void
on_events(void *ud, const struct dbot__gwt_event *ev, size_t n)
{
    for (size_t i = 0; i < n; i++)
        on_dispatch(ud, &ev[i].ev, ev[i].ack);
}

/* The second source: an interaction POSTed to interactions_listen, already
 * verified. It reaches the same handlers as INTERACTION_CREATE from a
 * shard, and the same event consumers (shard_id -1, seq 0: no gateway). */
static int
on_http_interaction(void *ud, const cJSON *d,
                    const struct dbot__ix_transport *t)
{
    dbot *bot = ud;
    dbot_event ev = { "INTERACTION_CREATE", d, -1, 0 };
    int rc = dbot__interactions_on_http(bot->interactions, d, t);

    if (rc == 0) {
        dbot__service_on_event(bot->svc, ev.name);
        dbot__dispatch_event(bot->dispatch, bot, &ev, bot->health);
    }
    return rc;
}

/* HTTP-only: no READY tells the application; ask for it, then sync the
 * commands as READY would. */
static void
on_application(dbot *bot, const dbot_rest_result *res, void *data)
{
    cJSON *ready = cJSON_CreateObject();

    (void)data;
    if (res->err)
        LOG_W("commands", "GET /applications/@me failed (%s)",
              dbot_strerror(res->err));
    if (ready && (res->err || !res->json ||
                  cJSON_AddItemToObject(ready, "application",
                                        cJSON_Duplicate(res->json, 1))))
        dbot__interactions_on_ready(bot->interactions, ready);
    cJSON_Delete(ready);
}

static void
shard_fatal(void *ud, int err)
{
    dbot__bot_fatal(ud, err);
}

static char *
presence_of_bot(void *ud, unsigned *gen)
{
    return dbot__bot_presence_copy(ud, gen);
}

static void
guard_deferred(void *ud, struct dbot__ack *a, const dbot_rest_result *res)
{
    dbot *bot = ud;

    dbot__interactions_on_deferred(bot->interactions, a, res);
}

/* ---- the loop ---------------------------------------------------------- */

static int
create_loop(dbot *bot)
{
    /* No TLS on the bot's loop: the gateway thread's loop has it. */
    struct dbot__loop_opts lo = { 0 };

    /* lws sizes its descriptor tables from RLIMIT_NOFILE when the
     * context is made, so raise it first; the listener keeps the last
     * ones free (http.c). */
    dbot__http_raise_fd_limit();
    return dbot__loop_new(&bot->loop, &lo);
}

/* ---- lifecycle ---------------------------------------------------------- */

static int
bot_init(dbot **out, struct dbot_config *cfg)
{
    dbot *bot = calloc(1, sizeof *bot);
    int rc;

    *out = NULL;
    if (!bot) {
        dbot__config_free(cfg);
        return DBOT_ENOMEM;
    }
    bot->cfg = *cfg;
    pthread_mutex_init(&bot->presence_mu, NULL);
    dbot_log_set_level(bot->cfg.log_level);
    dbot__log_set_format(bot->cfg.log_format);
    if (bot->cfg.token && dbot_log_add_secret(bot->cfg.token) < 0) {
        /* Unredacted, the token would reach the first line naming it. */
        dbot_free(bot);
        return DBOT_ENOMEM;
    }

    rc = create_loop(bot);
    if (rc == 0 && bot->cfg.redis_url) {
        struct dbot__coord_opts co = {
            .redis_url = bot->cfg.redis_url,
            .app_id = dbot__config_app_id(&bot->cfg),
            .global_per_sec = bot->cfg.rest_global_per_sec,
        };
        rc = dbot__coord_new(&bot->coord, &co);
        if (rc == DBOT_EINVAL)
            LOG_E("coord", "redis_url needs the application id: set "
                           "\"application_id\" (the token does not start "
                           "with one)");
    }
    if (rc == 0)
        rc = dbot__timers_new(&bot->timers, bot, bot->loop);
    if (rc == 0)
        rc = dbot__checks_new(&bot->checks, bot->loop);
    if (rc == 0)
        rc = dbot__dispatch_new(&bot->dispatch);
    if (rc == 0)
        rc = dbot__resolver_new(&bot->resolver, dbot__loop_post, bot->loop);
    if (rc == 0) {
        struct dbot__health_opts ho = {
            .slow_ms =
                bot->cfg.slow_handler_ms > 0 ? bot->cfg.slow_handler_ms : -1,
        };
        bot->health = dbot__health_new(&ho);
        rc = bot->health ? 0 : DBOT_ENOMEM;
    }
    if (rc == 0) {
        struct dbot__rl_shared shared;
        struct dbot__rest_opts ro = {
            .owner = bot,
            .api_url = bot->cfg.api_url,
            .token = bot->cfg.token,
            .connect_timeout_ms = bot->cfg.rest_connect_timeout_ms,
            .timeout_ms = bot->cfg.rest_timeout_ms,
            .global_per_sec = bot->cfg.rest_global_per_sec,
            .tls_insecure = !bot->cfg.tls_verify,
            .ca_file = bot->cfg.ca_file,
            .loop = bot->loop,
        };
        if (bot->coord) {
            dbot__coord_rl_hooks(bot->coord, &shared);
            ro.shared = &shared;
        }
        bot->rest = dbot__rest_new(&ro, dbot__loop_post, bot->loop);
        rc = bot->rest ? 0 : DBOT_ENOMEM;
        if (bot->rest && bot->coord)
            dbot__coord_set_waker(bot->coord, dbot__rest_wake, bot->rest);
    }
    if (rc == 0) {
        bot->pool = dbot__pool_new(bot->cfg.workers, bot->cfg.queue_size,
                                   dbot__loop_post, bot->loop);
        rc = bot->pool ? 0 : DBOT_ENOMEM;
        if (bot->pool) {
            dbot__pool_set_health(bot->pool, bot->health);
            dbot__pool_set_nice(bot->pool, DBOT__WORKER_NICE);
        }
    }
    if (rc == 0) {
        struct dbot__interactions_deps id = {
            .bot = bot,
            .cfg = &bot->cfg,
            .loop = bot->loop,
            .health = bot->health,
            .rest = bot->rest,
            .pool = bot->pool,
            .stopping = &bot->stop_requested,
        };
        rc = dbot__interactions_new(&bot->interactions, &id);
    }
    if (rc == 0 && bot->cfg.gateway) {
        struct dbot__gwt_deps gd = {
            .cfg = &bot->cfg,
            .rest = bot->rest,
            .coord = bot->coord,
            .bot_loop = bot->loop,
            .ud = bot,
            .on_events = on_events,
            .on_plan = shard_plan,
            .on_fatal = shard_fatal,
            .presence = presence_of_bot,
            .on_deferred = guard_deferred,
        };
        rc = dbot__gwt_new(&bot->gwt, &gd);
    }
    if (rc == 0 && bot->cfg.interactions_port >= 0 && bot->cfg.public_key) {
        struct dbot__http_ix_deps xd = {
            .bot = bot,
            .cfg = &bot->cfg,
            .ctx = dbot__loop_lws(bot->loop),
            .sink = on_http_interaction,
            .sink_ud = bot,
        };
        rc = dbot__http_ix_new(&bot->ixl, &xd);
    }
    if (rc == 0 && bot->cfg.cache.on)
        rc = dbot__cache_new(&bot->cache, &bot->cfg.cache);
    if (rc == 0) {
        struct dbot__views_deps vd = { .bot = bot,
                                       .loop = bot->loop,
                                       .ixs = bot->interactions };
        rc = dbot__views_new(&bot->views, &vd);
    }
    if (rc == 0) {
        struct dbot__service_deps sd = {
            .cfg = &bot->cfg,
            .loop = bot->loop,
            .health = bot->health,
            .rest = bot->rest,
            .pool = bot->pool,
            .interactions = bot->interactions,
            .coord = bot->coord,
            .ixl = bot->ixl,
            .cache = bot->cache,
            .gwt = bot->gwt,
        };
        rc = dbot__service_new(&bot->svc, &sd);
    }
    if (rc < 0) {
        dbot_free(bot);
        return rc;
    }
    *out = bot;
    return 0;
}

int
dbot_new(dbot **out, const char *config_path)
{
    struct dbot_config cfg;
    int rc;

    if (!out)
        return DBOT_EINVAL;
    *out = NULL;
    rc = dbot__config_load(&cfg, config_path);
    if (rc < 0)
        return rc;
    rc = bot_init(out, &cfg);
    if (rc < 0)
        return rc;
    (*out)->reloadable = 1;
    if (config_path && *config_path &&
        !((*out)->config_path = strdup(config_path))) {
        dbot_free(*out);
        *out = NULL;
        return DBOT_ENOMEM;
    }
    return 0;
}

/* SIGHUP: take the log level from the config file again. Only the level:
 * everything else would need reconnecting. A file that no longer parses
 * keeps the old level (the error is logged). */
static void
reload_config(dbot *bot)
{
    struct dbot_config cfg;

    if (!bot->reloadable) {
        LOG_W("dbot", "SIGHUP: this bot was configured from a string; "
                      "nothing to reload");
        return;
    }
    if (dbot__config_load(&cfg, bot->config_path) < 0) {
        LOG_W("dbot", "SIGHUP: keeping the current configuration");
        return;
    }
    if (cfg.log_level != bot->cfg.log_level) {
        bot->cfg.log_level = cfg.log_level;
        dbot_log_set_level(cfg.log_level);
    }
    LOG_I("dbot", "SIGHUP: configuration re-read; log level %d",
          bot->cfg.log_level);
    dbot__config_free(&cfg);
}

/* Work that a clean stop lets finish: jobs not yet done, REST requests
 * not yet answered, and completions waiting in the inbox. */
/* REST requests in flight, or their callbacks not yet run. */
static int
requests_pending(dbot *bot)
{
    struct dbot__rest_stats rs;

    dbot__rest_stats(bot->rest, &rs);
    if (rs.done < rs.submitted)
        return 1;
    if (dbot__http_ix_inflight(bot->ixl) > 0)
        return 1; /* initial responses on their way over HTTP */
    return dbot__loop_pending(bot->loop);
}

static int
work_pending(dbot *bot)
{
    struct dbot__pool_stats ps;

    dbot__pool_stats(bot->pool, &ps);
    if (ps.done < ps.submitted)
        return 1;
    if (dbot__interactions_waiting(bot->interactions) > 0)
        return 1;
    return requests_pending(bot);
}

static const char *
real_env(const char *name)
{
    return getenv(name);
}

int
dbot_new_from_json(dbot **out, const char *json)
{
    struct dbot_config cfg;
    char err[512];
    int rc;

    if (!out || !json)
        return DBOT_EINVAL;
    *out = NULL;
    rc = dbot__config_parse(&cfg, json, strlen(json), real_env, NULL, err,
                            sizeof err);
    if (rc < 0) {
        LOG_E("config", "%s", err);
        return rc;
    }
    return bot_init(out, &cfg);
}

static int shutdown_finished(dbot *bot);

static void
tick_cb(struct dbot__timer *timer)
{
    dbot *bot = lws_container_of(timer, dbot, tick);

    if (atomic_load(&bot->stop_requested) && !bot->stopping) {
        int code = bot->cfg.stop_mode == DBOT__STOP_OFFLINE ? 1000 : 4000;

        bot->stopping = 1;
        bot->stop_deadline = dbot_now_ms() + STOP_GRACE_MS;
        bot->work_deadline = dbot_now_ms() + bot->cfg.shutdown_grace_ms;
        LOG_I("dbot", "stopping (%s)",
              code == 1000 ? "offline: ending the sessions"
                           : "sessions stay resumable");
        dbot__service_stopping(bot->svc);
        dbot__resolver_stop(bot->resolver);
        /* Views end now, while REST can still carry their last edits. */
        dbot__views_stop_all(bot->views);
        dbot__gwt_stop_shards(bot->gwt, code);
    }
    if (hup_pending) {
        hup_pending = 0;
        reload_config(bot);
    }
    dbot__health_tick(bot->health);
    dbot__loop_flush_logs(bot->loop);
    dbot__pool_expire(bot->pool);
    dbot__interactions_tick(bot->interactions);
    dbot__service_tick(bot->svc);
    if (bot->stopping) {
        if (shutdown_finished(bot))
            return; /* the run loop sees stopping && no tick: exit */
    }
    /* Cannot fail: the tick was just taken out of the heap (or is in
     * it), so the heap has room for it. */
    (void)dbot__loop_timer_arm(bot->loop, &bot->tick,
                               bot->stopping ? 10 : TICK_MS);
}

/* The loop exits when shutdown finished: the connections are closed (or
 * their close timed out) and in-flight work is done (or its grace time is
 * over). A user still waiting on an interaction when the grace time ends
 * is told the bot is restarting, and those answers get GIVE_UP_FLUSH_MS to
 * reach Discord. tick_cb stops rescheduling then. */
static int
shutdown_finished(dbot *bot)
{
    int64_t now = dbot_now_ms();
    int open = 0;

    if (!bot->stopping)
        return 0;
    for (int i = 0; i < bot->shards.n; i++)
        open += !dbot__gateway_is_closed(bot->shards.v[i]);
    if (open && now < bot->stop_deadline)
        return 0;
    if (now < bot->work_deadline && work_pending(bot))
        return 0;
    if (bot->give_up_deadline == 0 &&
        dbot__interactions_waiting(bot->interactions) > 0)
        bot->give_up_deadline = now + GIVE_UP_FLUSH_MS;
    if (bot->give_up_deadline) {
        /* Again on every tick: a defer in flight gets its edit. Worker
         * jobs are not waited for any more (dbot_free ends them). */
        dbot__interactions_give_up(bot->interactions);
        if (now < bot->give_up_deadline &&
            (requests_pending(bot) ||
             dbot__interactions_waiting(bot->interactions) > 0))
            return 0;
    }
    return 1;
}

static void
on_hup(int sig)
{
    dbot *bot = signal_bot;

    (void)sig;
    hup_pending = 1;
    if (bot)
        dbot__loop_wake(bot->loop); /* async-signal-safe: a pipe write */
}

/* A second signal means "now", unless it comes within a second of the
 * first: `timeout`, shells and service managers often signal the process
 * and then its group, and that is one request to stop, which must still
 * save the sessions. clock_gettime is async-signal-safe. */
static void
on_signal(int sig)
{
    dbot *bot = signal_bot;
    int64_t now = dbot__clock_ms();

    (void)sig;
    if (signal_count++ > 0) {
        if (now - signal_first_ms >= SECOND_SIGNAL_MS)
            _exit(130);
        return;
    }
    signal_first_ms = now;
    if (bot)
        dbot_stop(bot);
}

/* Which of the `*n` shards this process runs: "shard_ids", minus those
 * another process of the bot holds in Redis (coord.h). Sets
 * bot->shard_ids (NULL: all of them) and *n. */
static int
choose_shards(dbot *bot, int *n)
{
    int cnt = bot->cfg.shard_ids ? bot->cfg.n_shard_ids : *n, k = 0, nref;
    int *ids = malloc((size_t)cnt * sizeof *ids);
    int *refused = malloc((size_t)cnt * sizeof *refused);

    if (!ids || !refused) {
        free(ids);
        free(refused);
        return DBOT_ENOMEM;
    }
    for (int i = 0; i < cnt; i++)
        ids[i] = bot->cfg.shard_ids ? bot->cfg.shard_ids[i] : i;
    nref = bot->coord ? dbot__coord_claim(bot->coord, ids, cnt, refused) : 0;
    for (int i = 0, r = 0; i < cnt && nref > 0; i++) {
        while (r < nref && refused[r] < ids[i])
            r++;
        if (!(r < nref && refused[r] == ids[i]))
            ids[k++] = ids[i];
    }
    if (nref > 0)
        cnt = k;
    free(refused);
    if (nref < 0 || cnt == 0) {
        free(ids);
        if (cnt == 0)
            LOG_E("coord", "no shard left to run; stopping");
        return nref < 0 ? nref : DBOT_EBUSY;
    }
    if (!bot->cfg.shard_ids && nref == 0) {
        free(ids); /* all of them: v[i] is shard i */
        return 0;
    }
    bot->shard_ids = ids;
    *n = cnt;
    return 0;
}

/* The shards this run starts: the configured count; with "shards": 0 the
 * count the saved sessions were written for (so they resume), else one
 * until GET /gateway/bot tells Discord's recommendation
 * (dbot__bot_shard_plan grows the set then). */
static int
create_shards(dbot *bot)
{
    int n = bot->cfg.shard_count, rc, total;

    if (n == 0)
        n = dbot__service_saved_shards(bot->svc);
    bot->shards_planned = n > 0;
    if (n < 1)
        n = 1;
    total = n;
    rc = choose_shards(bot, &n);
    if (rc < 0)
        return rc;
    dbot__gwt_plan_shards(bot->gwt, !bot->shards_planned);
    bot->shards.v = calloc((size_t)n, sizeof *bot->shards.v);
    if (!bot->shards.v)
        return DBOT_ENOMEM;
    for (int i = 0; i < n; i++) {
        rc = dbot__gateway_new(&bot->shards.v[i],
                               bot->shard_ids ? bot->shard_ids[i] : i, total,
                               dbot__gwt_hooks(bot->gwt));
        if (rc < 0)
            return rc;
        bot->shards.n++;
    }
    bot->shards.ids = bot->shard_ids;
    bot->shards.total = total;
    return 0;
}

int
dbot_run(dbot *bot)
{
    struct sigaction sa, old_int, old_term, old_hup;
    char err[256];
    int rc;

    if (!bot)
        return DBOT_EINVAL;
    if (dbot__config_validate_for_run(&bot->cfg, err, sizeof err) < 0) {
        LOG_E("config", "%s", err);
        return DBOT_ECONFIG;
    }
    dbot__loop_enter(bot->loop);
    /* Commands without handlers, handlers without commands: named now. */
    dbot__interactions_check_routes(bot->interactions);

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    signal_count = 0;
    signal_bot = bot;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sa.sa_handler = on_hup;
    hup_pending = 0;
    sigaction(SIGHUP, &sa, &old_hup);

    rc = dbot__service_start(bot->svc, &bot->shards);
    if (rc == 0 && bot->ixl)
        rc = dbot__http_ix_start(bot->ixl);
    if (rc == 0 && !bot->cfg.gateway && bot->coord) {
        /* HTTP-only: no shard to lease; the REST limits are still the
         * bot's, shared with its other processes. */
        int r = dbot__coord_claim(bot->coord, NULL, 0, NULL);
        rc = r < 0 ? r : 0;
    }
    if (rc == 0 && bot->cfg.gateway)
        rc = create_shards(bot);
    else if (rc == 0 && bot->cfg.application_id)
        on_application(bot, &(dbot_rest_result){ .body = "" }, NULL);
    else if (rc == 0)
        rc = dbot__rest_application_get(bot->rest, on_application, NULL);
    if (rc < 0) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        sigaction(SIGHUP, &old_hup, NULL);
        signal_bot = NULL;
        dbot__loop_leave(bot->loop);
        return rc;
    }
    dbot__service_adopt_sessions(bot->svc);
    dbot__health_start(bot->health);
    for (int i = 0; i < bot->shards.n && rc == 0; i++)
        rc = dbot__gwt_add_shard(bot->gwt, bot->shards.v[i]);
    if (rc == 0 && bot->gwt)
        rc = dbot__gwt_start(bot->gwt);
    /* Armed even after a failure: the tick is what carries the shutdown. */
    dbot__timer_init(&bot->tick, tick_cb);
    if (dbot__loop_timer_arm(bot->loop, &bot->tick, TICK_MS) < 0 && rc == 0)
        rc = DBOT_ENOMEM;
    if (rc < 0)
        dbot__bot_fatal(bot, rc);

    while (!shutdown_finished(bot)) {
        if (atomic_load(&bot->stop_requested) && !bot->stopping)
            tick_cb(&bot->tick);
        if (dbot__loop_turn(bot->loop) < 0)
            break;
    }
    dbot__loop_timer_disarm(bot->loop, &bot->tick);
    dbot__http_ix_stop(bot->ixl);
    dbot__health_stop(bot->health);
    /* The gateway thread first: what it handed over before it stopped is
     * in the inbox, and runs now. */
    dbot__gwt_stop(bot->gwt);
    dbot__loop_drain(bot->loop);
    dbot__service_stopped(bot->svc, bot->exit_code);

    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    signal_bot = NULL;
    dbot__loop_leave(bot->loop);
    LOG_I("dbot", "stopped%s%s", bot->exit_code ? ": " : "",
          bot->exit_code ? dbot_strerror(bot->exit_code) : "");
    return bot->exit_code;
}

void
dbot_stop(dbot *bot)
{
    if (!bot)
        return;
    atomic_store(&bot->stop_requested, 1);
    dbot__loop_wake(bot->loop);
}

void
dbot_free(dbot *bot)
{
    if (!bot)
        return;
    atomic_store(&bot->stop_requested, 1);
    /* No thread of the gateway's may submit requests from here on. */
    dbot__gwt_stop(bot->gwt);
    /* Jobs first: their done callbacks run here, and may still use the
     * bot (they see dbot_is_stopping()). */
    dbot__pool_shutdown(bot->pool, STOP_GRACE_MS);
    bot->pool = NULL;
    /* Views still live end (DBOT_VIEW_SHUTDOWN) and user timers still
     * pending are told DBOT_ECANCELED while the whole bot is there: a
     * request their callbacks make is taken, then cancelled below. */
    dbot__views_free(bot->views);
    bot->views = NULL;
    dbot__timers_free(bot->timers);
    bot->timers = NULL;
    dbot__checks_free(bot->checks);
    bot->checks = NULL;
    /* Pending requests are told DBOT_ECANCELED; run those callbacks while
     * the context (and the timers in it) still exists. */
    if (bot->coord)
        dbot__coord_set_waker(bot->coord, NULL, NULL);
    dbot__rest_free(bot->rest);
    bot->rest = NULL;
    if (bot->loop)
        dbot__loop_drain(bot->loop);
    /* The gateway thread's context, whose destruction closes any socket
     * still open (the shards see CLOSED and, stopping, do not reconnect);
     * then the shards. */
    dbot__gwt_free(bot->gwt);
    bot->gwt = NULL;
    for (int i = 0; i < bot->shards.n; i++)
        dbot__gateway_free(bot->shards.v[i]);
    free(bot->shards.v);
    bot->shards.n = 0;
    dbot__service_free(bot->svc);
    bot->svc = NULL;
    dbot__http_ix_free(bot->ixl);
    bot->ixl = NULL;
    if (bot->loop)
        dbot__loop_close(bot->loop);
    /* After the REST thread (it asked coord for global slots): releases
     * this process's shard leases for the next one. */
    dbot__coord_free(bot->coord);
    bot->coord = NULL;
    free(bot->shard_ids);
    /* The resolver waits for its threads; their results land in the inbox
     * and are released by the drain below. */
    dbot__resolver_free(bot->resolver);
    /* Tasks posted after the loop ended still run once, so they can free
     * what they carry (dbot_is_stopping() tells them the bot is going). */
    dbot__loop_free(bot->loop);
    bot->loop = NULL;
    dbot__health_free(bot->health);
    dbot__interactions_free(bot->interactions);
    dbot__dispatch_free(bot->dispatch);
    dbot__cache_free(bot->cache);
    cJSON_Delete(bot->self_user);
    free(bot->config_path);
    free(bot->presence_json);
    pthread_mutex_destroy(&bot->presence_mu);
    dbot__config_free(&bot->cfg);
    free(bot);
}

int
dbot_on_named(dbot *bot, const char *event, dbot_event_fn fn,
              const char *fn_name, void *data)
{
    if (!bot || !event || !fn)
        return DBOT_EINVAL;
    DBOT__CHECK_LOOP(bot);
    return dbot__dispatch_add(bot->dispatch, event, fn, fn_name, data);
}
