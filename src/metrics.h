/*
 * metrics.h: the numbers /metrics serves, rendered in the Prometheus text
 * exposition format (version 0.0.4).
 *
 * Rendering is pure: a snapshot in, text out, so a unit test can check
 * the format without a bot. service.c fills the snapshot on the loop.
 */
#ifndef DBOT_SRC_METRICS_H
#define DBOT_SRC_METRICS_H

#include "cache.h"
#include "coord.h"
#include "gateway.h"
#include "health.h"
#include "http.h"
#include "http_interactions.h"
#include "interaction.h"
#include "rest.h"
#include "workers.h"

#include <stddef.h>
#include <stdint.h>

/* Dispatches seen, by event name. Bounded: names past the table's size
 * are counted as "other" (event names come from Discord, but a fake or a
 * future API could send any number of them). Loop thread only. */
#define DBOT__METRICS_EVENT_SLOTS 96
struct dbot__event_counts {
    int n;
    struct {
        char name[48];
        uint64_t count;
    } e[DBOT__METRICS_EVENT_SLOTS];
};
void dbot__event_counts_add(struct dbot__event_counts *ec, const char *name);

struct dbot__metrics_shard {
    int id; /* the shard id (a process may run some of the bot's shards) */
    enum dbot__gw_state state;
    int64_t latency_ms; /* -1: none yet */
    struct dbot__gw_counters n;
};

struct dbot__metrics_snapshot {
    int nshards;
    const struct dbot__metrics_shard *shards;
    const struct dbot__event_counts *events;
    struct dbot__ix_stats ix;
    int have_pool;
    struct dbot__pool_stats pool;
    int have_rest;
    struct dbot__rest_stats rest;
    int nroutes;
    const struct dbot__rest_route_count *routes;
    struct dbot__health_stats health;
    int have_http; /* the http_listen listener runs */
    struct dbot__http_stats http;
    int have_coord; /* redis_url is set */
    struct dbot__coord_stats coord;
    int have_ixl; /* the interactions_listen listener exists */
    struct dbot__http_ix_stats ixl;
    int stopping;
    const struct dbot__cache_stats *cache; /* NULL: the cache is off */
    int have_gateway;                      /* the gateway thread runs shards */
    uint64_t gateway_backlog; /* events handed to the loop, not yet run */
    uint64_t gateway_pauses;  /* times the backlog made shards resume */
};

/* "idle", "connecting", "handshaking", "ready", "stopped". */
const char *dbot__gw_state_name(enum dbot__gw_state s);

/* Render the snapshot. Returns malloc'd NUL-terminated text (length in
 * *len) or NULL when out of memory. */
char *dbot__metrics_render(const struct dbot__metrics_snapshot *s, size_t *len);

#endif
