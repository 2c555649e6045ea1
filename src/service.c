/*
 * service.c: what a service manager and a monitoring system see.
 *
 * DESIGN. Four duties, all on the loop thread and all driven from the
 * bot's lifecycle calls:
 *
 *  - systemd notification. READY=1 is sent once, when every shard has
 *    reached READY (or RESUMED): "started" means "receiving events", so
 *    `systemctl start` returns when the bot is really up. STATUS= carries
 *    the shard states whenever they change. WATCHDOG=1 is sent from a loop
 *    timer at half of $WATCHDOG_USEC, and only while the health monitor
 *    says the loop makes progress; a stalled loop cannot run the timer
 *    anyway, and one that is alive but unhealthy is withheld on purpose,
 *    so systemd restarts a wedged bot. STOPPING=1 when shutdown begins.
 *
 *  - sessions across restarts (state.c). Saved sessions are read and the
 *    file removed before any shard connects; they are written after the
 *    loop has ended, when the last sequence numbers are final. The hot
 *    loop never touches the file.
 *
 *  - /healthz: 200 only when every shard is READY, the loop is healthy and
 *    no shutdown is in progress; otherwise 503 with the reasons.
 *
 *  - /metrics: a snapshot of every module's counters, rendered by
 *    metrics.c. The gateway reports each dispatch's name to
 *    dbot__service_on_event() for the count by event type.
 */
#include "service.h"

#include "config.h"
#include "gateway.h"
#include "gateway_thread.h"
#include "health.h"
#include "http.h"
#include "http_interactions.h"
#include "interaction.h"
#include "log.h"
#include "loop.h"
#include "coord.h"
#include "metrics.h"
#include "notify.h"
#include "rest.h"
#include "state.h"
#include "workers.h"

#include <libwebsockets.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STATUS_MAX     512
#define PATH_MAX_STATE 4096

struct dbot__service {
    struct dbot__service_deps d;          /* what it watches, from the wiring */
    const struct dbot__shard_set *shards; /* bot.c's, read anew each time */
    int started;
    int stopping;

    struct dbot__notify *notify;
    int ready_sent;
    char status[STATUS_MAX];
    uint64_t wd_usec;
    lws_sorted_usec_list_t wd_sul;
    int wd_armed;

    int have_state;
    int have_saved; /* sessions read at start, not yet adopted */
    struct dbot__state saved;
    char state_path[PATH_MAX_STATE];

    struct dbot__http *http;
    struct dbot__event_counts events;
};

static const struct dbot_config *
cfg_of(struct dbot__service *svc)
{
    return svc->d.cfg;
}

void
dbot__service_on_event(struct dbot__service *svc, const char *name)
{
    if (svc && name)
        dbot__event_counts_add(&svc->events, name);
}

int
dbot__service_new(struct dbot__service **out,
                  const struct dbot__service_deps *d)
{
    struct dbot__service *svc = calloc(1, sizeof *svc);

    *out = NULL;
    if (!svc)
        return DBOT_ENOMEM;
    svc->d = *d;
    *out = svc;
    return 0;
}

/* ---- systemd ------------------------------------------------------------ */

static void
watchdog_cb(lws_sorted_usec_list_t *sul)
{
    struct dbot__service *svc =
        lws_container_of(sul, struct dbot__service, wd_sul);

    if (dbot__health_loop_healthy(svc->d.health))
        dbot__notify_send(svc->notify, "WATCHDOG=1");
    else
        LOG_W("service", "the loop is stalled; withholding WATCHDOG=1");
    lws_sul_schedule(dbot__loop_lws(svc->d.loop), 0, &svc->wd_sul, watchdog_cb,
                     (lws_usec_t)(svc->wd_usec / 2));
}

/* "2/3 shards ready; shard 1 connecting" (lists at most a few). */
static int
shard_summary(struct dbot__service *svc, char *buf, size_t cap)
{
    int ready = 0, listed = 0;
    size_t n;

    for (int i = 0; i < svc->shards->n; i++)
        ready += dbot__gateway_state(svc->shards->v[i]) == DBOT__GW_READY;
    n = (size_t)snprintf(buf, cap, "%d/%d shards ready", ready, svc->shards->n);
    for (int i = 0; i < svc->shards->n && n < cap; i++) {
        enum dbot__gw_state s = dbot__gateway_state(svc->shards->v[i]);

        if (s == DBOT__GW_READY)
            continue;
        if (++listed > 8) {
            n += (size_t)snprintf(buf + n, cap - n, ", ...");
            break;
        }
        n += (size_t)snprintf(
            buf + n, cap - n, "%s shard %d %s", listed == 1 ? ";" : ",",
            dbot__shard_set_id(svc->shards, i), dbot__gw_state_name(s));
    }
    return ready == svc->shards->n;
}

/* The index in the set of shard `id`, or -1 when this process does not
 * run it. */
static int
set_index(const struct dbot__shard_set *set, int id)
{
    for (int i = 0; i < set->n; i++)
        if (dbot__shard_set_id(set, i) == id)
            return i;
    return -1;
}

/* Read the saved sessions into svc->saved and remove the file. The file
 * says for how many shards it was written; with "shards": 0 that count
 * decides how many shards this run starts (dbot__service_saved_shards), so
 * a bot on Discord's recommended count resumes every shard after a
 * restart instead of identifying them all again. */
static void
load_sessions(struct dbot__service *svc)
{
    const struct dbot_config *cfg = cfg_of(svc);
    char err[256] = "";
    char *text;
    int rc;

    text = dbot__state_read(svc->state_path, &rc, err, sizeof err);
    if (!text) {
        /* Left in place: it is not ours to remove, and the next save
         * replaces it with a file of our own. */
        if (rc == DBOT_EINVAL)
            LOG_W("service",
                  "not trusting the session file %s: %s; "
                  "identifying",
                  svc->state_path, err);
        else if (rc != DBOT_ENOENT)
            LOG_W("service", "cannot read %s: %s; identifying", svc->state_path,
                  err);
        return;
    }
    /* Used at most once: a crash later must not resume from an old seq. */
    if (dbot__state_remove(svc->state_path) < 0)
        LOG_W("service", "cannot remove %s", svc->state_path);
    rc = dbot__state_parse(text, strlen(text), cfg->shard_count,
                           (int64_t)time(NULL), cfg->resume_window_s,
                           &svc->saved, err, sizeof err);
    free(text);
    if (rc < 0) {
        LOG_I("service", "not resuming the saved sessions (%s); identifying",
              err);
        return;
    }
    svc->have_saved = 1;
}

int
dbot__service_saved_shards(const struct dbot__service *svc)
{
    return svc->have_saved ? svc->saved.shard_count : 0;
}

void
dbot__service_adopt_sessions(struct dbot__service *svc)
{
    const struct dbot__state *st = &svc->saved;
    int adopted = 0;

    if (!svc->have_saved)
        return;
    if (st->shard_count != dbot__shard_set_total(svc->shards)) {
        LOG_I("service",
              "not resuming the saved sessions (saved for %d shards, "
              "running %d); identifying",
              st->shard_count, dbot__shard_set_total(svc->shards));
    } else {
        for (int i = 0; i < st->n; i++) {
            struct dbot__gw_session s = {
                .session_id = st->shards[i].session_id,
                .resume_url = st->shards[i].resume_url,
                .seq = st->shards[i].seq,
            };
            int at = set_index(svc->shards, st->shards[i].shard_id);
            int src = at < 0
                          ? DBOT_ENOENT
                          : dbot__gateway_set_session(svc->shards->v[at], &s);

            if (src == 0)
                adopted++;
            else if (src == DBOT_EINVAL) /* parsed, so complete: the URL */
                LOG_W("service",
                      "shard %d: the saved resume URL is not on the "
                      "gateway's site; identifying",
                      st->shards[i].shard_id);
        }
        LOG_I("service", "resuming %d of %d shard sessions saved %lld s ago",
              adopted, svc->shards->n,
              (long long)((int64_t)time(NULL) - st->saved_at));
    }
    dbot__state_clear(&svc->saved);
    svc->have_saved = 0;
}

static int http_handler(void *ud, const char *path, char **body, size_t *len,
                        const char **ctype);

int
dbot__service_start(struct dbot__service *svc,
                    const struct dbot__shard_set *shards)
{
    const struct dbot_config *cfg = cfg_of(svc);
    int rc;

    svc->shards = shards;
    svc->stopping = 0;
    svc->ready_sent = 0;
    svc->status[0] = '\0';

    /* First what can fail, before the session file is consumed. */
    if (cfg->http_port >= 0 && !svc->http) {
        struct dbot__http_opts ho = {
            .host = cfg->http_host,
            .port = cfg->http_port,
            .max_connections = cfg->http_max_connections,
            .max_per_ip = cfg->http_max_per_ip,
            .timeout_ms = cfg->http_timeout_ms,
        };

        rc = dbot__http_start(&svc->http, dbot__loop_lws(svc->d.loop), &ho,
                              http_handler, svc);
        if (rc < 0)
            return rc;
    }
    svc->started = 1;

    if (!svc->notify)
        dbot__notify_open(&svc->notify, getenv("NOTIFY_SOCKET"));
    svc->wd_usec = dbot__notify_watchdog_usec(getenv("WATCHDOG_USEC"),
                                              getenv("WATCHDOG_PID"));
    if (svc->notify && svc->wd_usec) {
        LOG_I("service", "systemd watchdog: pinging every %llu ms",
              (unsigned long long)(svc->wd_usec / 2000));
        svc->wd_armed = 1;
        lws_sul_schedule(dbot__loop_lws(svc->d.loop), 0, &svc->wd_sul,
                         watchdog_cb, (lws_usec_t)(svc->wd_usec / 2));
    }
    dbot__notify_send(svc->notify, "STATUS=connecting to Discord");

    svc->have_state =
        dbot__state_path(getenv("STATE_DIRECTORY"), cfg->state_file,
                         svc->state_path, sizeof svc->state_path);
    if (svc->have_state) {
        if (cfg->stop_mode == DBOT__STOP_RESUME && cfg->resume_window_s > 0)
            load_sessions(svc);
        else
            dbot__state_remove(svc->state_path);
    }
    return 0;
}

void
dbot__service_tick(struct dbot__service *svc)
{
    char status[STATUS_MAX], msg[STATUS_MAX + 32];
    int all_ready;

    if (!svc->started || svc->stopping)
        return;
    all_ready = shard_summary(svc, status, sizeof status);
    if (svc->d.ixl) {
        int port = dbot__http_ix_port(svc->d.ixl);
        size_t n = svc->shards->n ? strlen(status) : 0;

        /* HTTP-only: no shards to count; say what the bot serves. */
        if (port < 0)
            snprintf(status + n, sizeof status - n,
                     "%sinteractions not listening", n ? "; " : "");
        else
            snprintf(status + n, sizeof status - n, "%sinteractions on port %d",
                     n ? "; " : "", port);
        if (port < 0)
            all_ready = 0;
    }
    if (all_ready && !svc->ready_sent) {
        svc->ready_sent = 1;
        snprintf(svc->status, sizeof svc->status, "%s", status);
        snprintf(msg, sizeof msg, "READY=1\nSTATUS=%s", status);
        dbot__notify_send(svc->notify, msg);
        LOG_I("service", "ready: %s", status);
        return;
    }
    if (strcmp(status, svc->status) != 0) {
        snprintf(svc->status, sizeof svc->status, "%s", status);
        snprintf(msg, sizeof msg, "STATUS=%s", status);
        dbot__notify_send(svc->notify, msg);
    }
}

void
dbot__service_stopping(struct dbot__service *svc)
{
    if (svc->stopping)
        return;
    svc->stopping = 1;
    dbot__notify_send(svc->notify,
                      "STOPPING=1\nSTATUS=stopping: finishing in-flight work");
}

static void
save_sessions(struct dbot__service *svc)
{
    struct dbot__state st;
    char err[256] = "";
    char *text;
    int rc = 0;

    memset(&st, 0, sizeof st);
    st.saved_at = (int64_t)time(NULL);
    st.shard_count = dbot__shard_set_total(svc->shards);
    for (int i = 0; i < svc->shards->n && rc == 0; i++) {
        struct dbot__gw_session s;

        if (dbot__gateway_session(svc->shards->v[i], &s))
            rc = dbot__state_add(&st, dbot__shard_set_id(svc->shards, i),
                                 s.session_id, s.resume_url, s.seq);
    }
    if (rc < 0 || st.n == 0) {
        dbot__state_clear(&st);
        return;
    }
    text = dbot__state_format(&st);
    if (!text)
        rc = DBOT_ENOMEM;
    else
        rc = dbot__state_write(svc->state_path, text, err, sizeof err);
    if (rc == 0)
        LOG_I("service",
              "saved %d shard sessions to %s; a restart within "
              "%d s resumes them",
              st.n, svc->state_path, cfg_of(svc)->resume_window_s);
    else
        LOG_W("service", "cannot save the sessions: %s",
              err[0] ? err : dbot_strerror(rc));
    free(text);
    dbot__state_clear(&st);
}

void
dbot__service_stopped(struct dbot__service *svc, int exit_code)
{
    const struct dbot_config *cfg = cfg_of(svc);

    if (!svc->started)
        return;
    svc->started = 0;
    if (svc->have_state) {
        if (cfg->stop_mode == DBOT__STOP_RESUME && exit_code == 0 &&
            cfg->resume_window_s > 0)
            save_sessions(svc);
        else
            dbot__state_remove(svc->state_path);
    }
    if (svc->wd_armed) {
        lws_sul_cancel(&svc->wd_sul);
        svc->wd_armed = 0;
    }
    dbot__http_stop(svc->http);
    svc->http = NULL;
    dbot__notify_send(svc->notify, "STATUS=stopped");
}

int
dbot__service_http_port(const struct dbot__service *svc)
{
    return svc && svc->http ? dbot__http_port(svc->http) : -1;
}

void
dbot__service_free(struct dbot__service *svc)
{
    if (!svc)
        return;
    if (svc->wd_armed)
        lws_sul_cancel(&svc->wd_sul);
    dbot__http_stop(svc->http);
    dbot__notify_close(svc->notify);
    if (svc->have_saved)
        dbot__state_clear(&svc->saved);
    free(svc);
}

/* ---- HTTP ---------------------------------------------------------------- */

/* "interactions": the listener's port and counts; 1 if it listens. */
static int
ixl_health(struct dbot__service *svc, cJSON *root)
{
    struct dbot__http_ix_stats st;
    cJSON *o = cJSON_AddObjectToObject(root, "interactions");

    dbot__http_ix_stats(svc->d.ixl, &st);
    cJSON_AddBoolToObject(o, "listening", st.listening != 0);
    cJSON_AddNumberToObject(o, "port", st.port);
    cJSON_AddNumberToObject(o, "requests", (double)st.requests);
    cJSON_AddNumberToObject(
        o, "verify_failures",
        (double)(st.unsigned_requests + st.stale + st.bad_signature));
    return st.listening;
}

static char *
healthz(struct dbot__service *svc, int *status)
{
    struct dbot__health_stats hs;
    cJSON *root = cJSON_CreateObject(), *arr, *why;
    char line[128];
    char *text;
    int ok = 1;

    if (!root)
        return NULL;
    dbot__health_stats(svc->d.health, &hs);
    arr = cJSON_AddArrayToObject(root, "shards");
    why = cJSON_AddArrayToObject(root, "problems");
    for (int i = 0; i < svc->shards->n; i++) {
        enum dbot__gw_state s = dbot__gateway_state(svc->shards->v[i]);
        int64_t lat = dbot__gateway_latency_ms(svc->shards->v[i]);
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToArray(arr, o);
        cJSON_AddNumberToObject(o, "shard", dbot__shard_set_id(svc->shards, i));
        cJSON_AddStringToObject(o, "state", dbot__gw_state_name(s));
        if (lat >= 0)
            cJSON_AddNumberToObject(o, "heartbeat_ms", (double)lat);
        if (s != DBOT__GW_READY) {
            ok = 0;
            snprintf(line, sizeof line, "shard %d is %s",
                     dbot__shard_set_id(svc->shards, i),
                     dbot__gw_state_name(s));
            cJSON_AddItemToArray(why, cJSON_CreateString(line));
        }
    }
    if (svc->shards->n == 0 && !svc->d.ixl) {
        ok = 0;
        cJSON_AddItemToArray(why, cJSON_CreateString("not running"));
    }
    if (svc->d.ixl && !ixl_health(svc, root)) {
        ok = 0;
        cJSON_AddItemToArray(
            why, cJSON_CreateString("interactions_listen is not listening"));
    }
    if (!hs.healthy) {
        ok = 0;
        snprintf(line, sizeof line, "the loop is stalled (%lld ms)",
                 (long long)hs.blocked_ms);
        cJSON_AddItemToArray(why, cJSON_CreateString(line));
    }
    if (svc->stopping) {
        ok = 0;
        cJSON_AddItemToArray(why, cJSON_CreateString("shutting down"));
    }
    if (svc->d.coord) {
        /* Redis away is no reason to restart: the shards run on local
         * limits. Shown, not failed. */
        struct dbot__coord_stats cs;

        dbot__coord_stats(svc->d.coord, &cs);
        cJSON_AddStringToObject(root, "coordination", cs.up ? "ok" : "down");
        if (!cs.up)
            cJSON_AddItemToArray(
                why, cJSON_CreateString("Redis unreachable: local limits"));
    }
    cJSON_AddBoolToObject(root, "loop_healthy", hs.healthy != 0);
    cJSON_AddBoolToObject(root, "stopping", svc->stopping != 0);
    cJSON_AddStringToObject(root, "status", ok ? "ok" : "unavailable");
    text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    *status = ok ? 200 : 503;
    return text;
}

static char *
metrics(struct dbot__service *svc, size_t *len)
{
    struct dbot__metrics_snapshot s;
    struct dbot__metrics_shard *sh;
    struct dbot__rest_route_count *routes = NULL;
    struct dbot__rest *rest = svc->d.rest;
    struct dbot__pool *pool = svc->d.pool;
    struct dbot__cache_stats cs;
    char *text;

    memset(&s, 0, sizeof s);
    sh = calloc((size_t)(svc->shards->n ? svc->shards->n : 1), sizeof *sh);
    if (!sh)
        return NULL;
    for (int i = 0; i < svc->shards->n; i++) {
        sh[i].id = dbot__shard_set_id(svc->shards, i);
        sh[i].state = dbot__gateway_state(svc->shards->v[i]);
        sh[i].latency_ms = dbot__gateway_latency_ms(svc->shards->v[i]);
        dbot__gateway_counters(svc->shards->v[i], &sh[i].n);
    }
    s.nshards = svc->shards->n;
    s.shards = sh;
    s.events = &svc->events;
    s.stopping = svc->stopping;
    dbot__interactions_stats(svc->d.interactions, &s.ix);
    if (pool) {
        s.have_pool = 1;
        dbot__pool_stats(pool, &s.pool);
    }
    if (rest) {
        routes = calloc(DBOT__REST_ROUTE_SLOTS, sizeof *routes);
        if (routes) {
            s.have_rest = 1;
            dbot__rest_stats(rest, &s.rest);
            s.nroutes =
                dbot__rest_route_counts(rest, routes, DBOT__REST_ROUTE_SLOTS);
            s.routes = routes;
        }
    }
    dbot__health_stats(svc->d.health, &s.health);
    if (svc->d.coord) {
        s.have_coord = 1;
        dbot__coord_stats(svc->d.coord, &s.coord);
    }
    if (svc->http) {
        s.have_http = 1;
        dbot__http_stats(svc->http, &s.http);
    }
    if (svc->d.ixl) {
        s.have_ixl = 1;
        dbot__http_ix_stats(svc->d.ixl, &s.ixl);
    }
    if (svc->d.cache) {
        dbot__cache_stats(svc->d.cache, &cs);
        s.cache = &cs;
    }
    if (svc->d.gwt) {
        s.have_gateway = 1;
        s.gateway_backlog = dbot__gwt_backlog(svc->d.gwt);
        s.gateway_pauses = dbot__gwt_backlog_pauses(svc->d.gwt);
    }
    text = dbot__metrics_render(&s, len);
    free(routes);
    free(sh);
    return text;
}

static int
http_handler(void *ud, const char *path, char **body, size_t *len,
             const char **ctype)
{
    struct dbot__service *svc = ud;
    int status = 200;

    *body = NULL;
    *len = 0;
    if (strcmp(path, "/healthz") == 0) {
        *body = healthz(svc, &status);
        *ctype = "application/json";
    } else if (strcmp(path, "/metrics") == 0) {
        *body = metrics(svc, len);
        *ctype = "text/plain; version=0.0.4; charset=utf-8";
    } else if (strcmp(path, "/") == 0) {
        *body = strdup("dbot: see /healthz and /metrics\n");
        *ctype = "text/plain; charset=utf-8";
    } else {
        *body = strdup("not found\n");
        *ctype = "text/plain; charset=utf-8";
        status = 404;
    }
    if (!*body)
        return 500;
    if (!*len)
        *len = strlen(*body);
    return status;
}
