/*
 * metrics.c: Prometheus text for /metrics.
 *
 * DESIGN. Every family is written as "# HELP", "# TYPE", then its samples,
 * one family at a time (the format forbids interleaving). Names follow the
 * Prometheus conventions: a dbot_ prefix, base units (seconds), _total on
 * counters. Histograms come from the fixed log2 buckets the modules keep
 * (interaction acks in ms, worker jobs in microseconds) and are turned
 * into cumulative le buckets here, with the +Inf bucket, _sum and _count
 * the format requires. Label values are escaped (\\, \" and \n).
 *
 * The module keeps no state of its own except the event-name table, which
 * the loop updates for every dispatch (a linear scan over a few dozen
 * names, cheaper than hashing at this size).
 */
#include "metrics.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct buf {
    char *p;
    size_t len, cap;
    int oom;
};

static void DBOT_PRINTF(2, 3) put(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (b->oom)
        return;
    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap * 2 + (size_t)n;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

/* A label value, escaped as the text format wants. */
static void
put_label(struct buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\')
            put(b, "\\\\");
        else if (*s == '"')
            put(b, "\\\"");
        else if (*s == '\n')
            put(b, "\\n");
        else
            put(b, "%c", *s);
    }
}

static void
family(struct buf *b, const char *name, const char *type, const char *help)
{
    put(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
sample_u(struct buf *b, const char *name, uint64_t v)
{
    put(b, "%s %llu\n", name, (unsigned long long)v);
}

static void
counter(struct buf *b, const char *name, const char *help, uint64_t v)
{
    family(b, name, "counter", help);
    sample_u(b, name, v);
}

static void
gauge(struct buf *b, const char *name, const char *help, double v)
{
    family(b, name, "gauge", help);
    put(b, "%s %.17g\n", name, v);
}

/* hist[i] counts values below bound(i) (and at or above bound(i - 1));
 * the last bucket is open-ended. `scale` turns a bound into seconds. */
static void
histogram(struct buf *b, const char *name, const char *help,
          const uint64_t *hist, int nb, double first_bound, double scale,
          double sum_seconds)
{
    uint64_t cum = 0;
    double bound = first_bound;

    family(b, name, "histogram", help);
    for (int i = 0; i < nb - 1; i++, bound *= 2) {
        cum += hist[i];
        put(b, "%s_bucket{le=\"%.9g\"} %llu\n", name, bound * scale,
            (unsigned long long)cum);
    }
    cum += hist[nb - 1];
    put(b, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)cum);
    put(b, "%s_sum %.9g\n", name, sum_seconds);
    put(b, "%s_count %llu\n", name, (unsigned long long)cum);
}

const char *
dbot__gw_state_name(enum dbot__gw_state s)
{
    switch (s) {
    case DBOT__GW_IDLE:
        return "idle";
    case DBOT__GW_CONNECTING:
        return "connecting";
    case DBOT__GW_HANDSHAKING:
        return "handshaking";
    case DBOT__GW_READY:
        return "ready";
    case DBOT__GW_STOPPED:
        return "stopped";
    }
    return "unknown";
}

void
dbot__event_counts_add(struct dbot__event_counts *ec, const char *name)
{
    int i;

    for (i = 0; i < ec->n; i++)
        if (strcmp(ec->e[i].name, name) == 0)
            break;
    if (i == ec->n && (ec->n >= DBOT__METRICS_EVENT_SLOTS - 1 ||
                       strlen(name) >= sizeof ec->e[0].name)) {
        name = "other";
        for (i = 0; i < ec->n; i++)
            if (strcmp(ec->e[i].name, name) == 0)
                break;
    }
    if (i == ec->n) {
        snprintf(ec->e[i].name, sizeof ec->e[i].name, "%s", name);
        ec->e[i].count = 0;
        ec->n++;
    }
    ec->e[i].count++;
}

static void
shards(struct buf *b, const struct dbot__metrics_snapshot *s)
{
    static const enum dbot__gw_state all[] = {
        DBOT__GW_IDLE,  DBOT__GW_CONNECTING, DBOT__GW_HANDSHAKING,
        DBOT__GW_READY, DBOT__GW_STOPPED,
    };
    static const struct {
        const char *name, *help;
        size_t off;
    } ctr[] = {
        { "dbot_gateway_connects_total", "Gateway connection attempts.",
          offsetof(struct dbot__gw_counters, connects) },
        { "dbot_gateway_identifies_total", "Identify payloads sent.",
          offsetof(struct dbot__gw_counters, identifies) },
        { "dbot_gateway_resumes_total", "Resume payloads sent.",
          offsetof(struct dbot__gw_counters, resumes) },
        { "dbot_gateway_resumed_total", "Sessions resumed (RESUMED seen).",
          offsetof(struct dbot__gw_counters, resumed) },
        { "dbot_gateway_reconnects_total", "Reconnects scheduled.",
          offsetof(struct dbot__gw_counters, reconnects) },
    };

    family(b, "dbot_shard_state", "gauge",
           "1 for the state each gateway shard is in, else 0.");
    for (int i = 0; i < s->nshards; i++)
        for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
            put(b, "dbot_shard_state{shard=\"%d\",state=\"%s\"} %d\n",
                s->shards[i].id, dbot__gw_state_name(all[k]),
                s->shards[i].state == all[k]);
    family(b, "dbot_heartbeat_latency_seconds", "gauge",
           "Last heartbeat round trip per shard (absent before the first).");
    for (int i = 0; i < s->nshards; i++)
        if (s->shards[i].latency_ms >= 0)
            put(b, "dbot_heartbeat_latency_seconds{shard=\"%d\"} %.3f\n",
                s->shards[i].id, (double)s->shards[i].latency_ms / 1000.0);
    for (size_t k = 0; k < sizeof ctr / sizeof ctr[0]; k++) {
        family(b, ctr[k].name, "counter", ctr[k].help);
        for (int i = 0; i < s->nshards; i++) {
            const char *base = (const char *)&s->shards[i].n;
            uint64_t v;

            memcpy(&v, base + ctr[k].off, sizeof v);
            put(b, "%s{shard=\"%d\"} %llu\n", ctr[k].name, s->shards[i].id,
                (unsigned long long)v);
        }
    }
}

static void
events(struct buf *b, const struct dbot__event_counts *ec)
{
    family(b, "dbot_gateway_events_total", "counter",
           "Gateway dispatches received, by event type.");
    for (int i = 0; ec && i < ec->n; i++) {
        put(b, "dbot_gateway_events_total{type=\"");
        put_label(b, ec->e[i].name);
        put(b, "\"} %llu\n", (unsigned long long)ec->e[i].count);
    }
}

static void
interactions(struct buf *b, const struct dbot__ix_stats *ix)
{
    counter(b, "dbot_interactions_received_total",
            "Interactions received from the gateway.", ix->received);
    counter(b, "dbot_interactions_acknowledged_total",
            "Initial responses Discord accepted.", ix->acknowledged);
    counter(b, "dbot_interactions_auto_deferred_total",
            "Interactions deferred by the ack deadline timer.",
            ix->auto_deferred);
    counter(b, "dbot_interactions_failed_total",
            "Initial responses refused or lost.", ix->failed);
    counter(b, "dbot_interactions_unknown_total",
            "Interactions with no handler (answered \"unknown command\").",
            ix->unknown_routes);
    counter(b, "dbot_interactions_duplicate_total",
            "Interactions delivered again (replays), dropped unanswered.",
            ix->duplicates);
    counter(b, "dbot_interactions_ignored_total",
            "PING and unknown interaction types, left unanswered.",
            ix->ignored);
    counter(b, "dbot_interactions_refused_locally_total",
            "Answers refused before sending (second responses, expired "
            "tokens, Discord's limits).",
            ix->refused_locally);
    histogram(b, "dbot_interaction_ack_seconds",
              "Receipt to accepted initial response.", ix->ack_ms_hist,
              DBOT__ACK_HIST_BUCKETS, 1.0, 0.001,
              (double)ix->ack_ms_sum / 1000.0);
}

static void
pool(struct buf *b, const struct dbot__pool_stats *p)
{
    gauge(b, "dbot_worker_threads", "Worker threads.", p->threads);
    gauge(b, "dbot_worker_queue_depth", "Jobs waiting for a worker.",
          p->queued);
    gauge(b, "dbot_worker_queue_capacity", "Bound on waiting jobs.",
          p->queue_size);
    gauge(b, "dbot_worker_running", "Jobs running on a worker.", p->running);
    counter(b, "dbot_worker_jobs_total", "Jobs accepted.", p->submitted);
    counter(b, "dbot_worker_busy_refusals_total",
            "Jobs refused because the queue was full.", p->busy);
    counter(b, "dbot_worker_timeouts_total",
            "Jobs that reached their deadline before starting.", p->timed_out);
    histogram(b, "dbot_worker_job_wait_seconds",
              "Time a job waited for a worker.", p->wait_hist, DBOT__POOL_HIST,
              2.0, 1e-6, (double)p->wait_us_sum / 1e6);
    histogram(b, "dbot_worker_job_run_seconds", "Time a job ran.", p->run_hist,
              DBOT__POOL_HIST, 2.0, 1e-6, (double)p->run_us_sum / 1e6);
}

static void
rest(struct buf *b, const struct dbot__metrics_snapshot *s)
{
    family(b, "dbot_rest_requests_total", "counter",
           "REST requests completed, by route template and HTTP status "
           "(0: transport error).");
    for (int i = 0; i < s->nroutes; i++) {
        put(b, "dbot_rest_requests_total{route=\"");
        put_label(b, s->routes[i].route);
        put(b, "\",status=\"%d\"} %llu\n", s->routes[i].status,
            (unsigned long long)s->routes[i].count);
    }
    counter(b, "dbot_rest_rate_limited_total", "HTTP 429 answers received.",
            s->rest.limited);
    counter(b, "dbot_rest_loop_lane_total",
            "Initial interaction responses sent from the loop thread itself "
            "(the rest went through the REST thread).",
            s->rest.lane);
    counter(b, "dbot_rest_ratelimit_waits_total",
            "Requests the rate limiter held back before sending.",
            s->rest.waited);
    family(b, "dbot_rest_ratelimit_wait_seconds_total", "counter",
           "Time requests were held back by the rate limiter.");
    put(b, "dbot_rest_ratelimit_wait_seconds_total %.3f\n",
        (double)s->rest.wait_ms / 1000.0);
    counter(b, "dbot_rest_retries_total",
            "Attempts retried after a 5xx or transport error.",
            s->rest.retries);
    counter(b, "dbot_rest_deadline_expired_total",
            "Requests failed unsent: their rate-limit wait or queueing "
            "would end past their deadline.",
            s->rest.expired);
}

static void
health(struct buf *b, const struct dbot__health_stats *h)
{
    gauge(b, "dbot_loop_healthy", "1 while the loop thread makes progress.",
          h->healthy);
    counter(b, "dbot_loop_stalls_total",
            "Times the loop made no progress for the stall threshold.",
            h->stalls);
    gauge(b, "dbot_loop_longest_stall_seconds", "Longest loop stall.",
          (double)h->longest_stall_ms / 1000.0);
    counter(b, "dbot_loop_slow_handlers_total",
            "Handlers slower than slow_handler_ms.", h->slow);
    counter(b, "dbot_loop_handlers_total", "Handlers and callbacks run.",
            h->handlers);
}

static void
http(struct buf *b, const struct dbot__http_stats *h)
{
    gauge(b, "dbot_http_connections", "Open connections to http_listen.",
          h->open);
    counter(b, "dbot_http_connections_total",
            "Connections to http_listen accepted and served.", h->accepted);
    family(b, "dbot_http_refused_total", "counter",
           "Connections answered 503 and closed: over a connection cap "
           "(busy), or to keep file descriptors for the gateway (fds).");
    put(b, "dbot_http_refused_total{reason=\"busy\"} %llu\n", h->refused_busy);
    put(b, "dbot_http_refused_total{reason=\"fds\"} %llu\n", h->refused_fds);
    counter(b, "dbot_http_timeouts_total",
            "Connections closed at http_timeout_ms.", h->timeouts);
    counter(b, "dbot_http_accept_errors_total",
            "accept() failures (each pauses the listener).", h->accept_errors);
}

/* Coordination through Redis (coord.h). */
static void
coord(struct buf *b, const struct dbot__coord_stats *c)
{
    gauge(b, "dbot_coord_up",
          "1 while Redis answers; 0: running on local limits.", c->up);
    counter(b, "dbot_coord_outages_total", "Times Redis stopped answering.",
            c->outages);
    counter(b, "dbot_coord_round_trips_total", "Redis commands completed.",
            c->round_trips);
    counter(b, "dbot_coord_errors_total",
            "Redis commands that failed or timed out.", c->errors);
    counter(b, "dbot_coord_identify_grants_total",
            "Identify slots granted by Redis.", c->identify_grants);
    counter(b, "dbot_coord_identify_waits_total",
            "Identify slot asks answered: taken, wait.", c->identify_waits);
    counter(b, "dbot_coord_global_slots_total",
            "REST global limit slots taken from the shared window.",
            c->global_tokens);
    counter(b, "dbot_coord_lease_conflicts_total",
            "Renewals that found a shard leased by another process.",
            c->lease_conflicts);
    counter(b, "dbot_coord_bucket_grants_total",
            "Route bucket slots granted by the shared window.",
            c->bucket_grants);
    counter(b, "dbot_coord_bucket_waits_total",
            "Route bucket asks answered: empty, wait.", c->bucket_waits);
    gauge(b, "dbot_coord_processes", "Processes of this bot holding leases.",
          c->processes);
    if (c->invalid_10m >= 0)
        gauge(b, "dbot_coord_invalid_requests_10m",
              "Invalid responses (401/403/429) of all processes, 10 min.",
              (double)c->invalid_10m);
    if (c->identifies_24h >= 0)
        gauge(b, "dbot_coord_identifies_24h",
              "Identifies by all processes in the last 24 h.",
              (double)c->identifies_24h);
    if (c->session_budget >= 0)
        gauge(b, "dbot_coord_session_budget",
              "Identifies left in the bot's shared session-start budget.",
              (double)c->session_budget);
    counter(b, "dbot_coord_budget_waits_total",
            "Identify asks answered: session-start budget spent, wait.",
            c->budget_waits);
}

/* The Interactions Endpoint: answers by status, verification failures by
 * reason, and the time from a request's last byte to its answer. */
static void
http_ix(struct buf *b, const struct dbot__http_ix_stats *x)
{
    static const struct {
        const char *reason;
        size_t off;
    } refused[] = {
        { "missing", offsetof(struct dbot__http_ix_stats, unsigned_requests) },
        { "stale", offsetof(struct dbot__http_ix_stats, stale) },
        { "bad", offsetof(struct dbot__http_ix_stats, bad_signature) },
    };

    gauge(b, "dbot_interactions_listening",
          "1 while interactions_listen accepts requests.", x->listening);
    gauge(b, "dbot_interactions_connections",
          "Open connections to interactions_listen.", x->open);
    family(b, "dbot_interactions_http_responses_total", "counter",
           "Answers of interactions_listen by HTTP status (0: other).");
    for (int i = 0; i < DBOT__HTTP_STATUS_SLOTS; i++)
        put(b, "dbot_interactions_http_responses_total{status=\"%d\"} %llu\n",
            dbot__http_status_of_slot(i), x->by_status[i]);
    counter(b, "dbot_interactions_http_requests_total",
            "POSTs to interactions_path read whole.", x->requests);
    counter(b, "dbot_interactions_http_pings_total",
            "PINGs answered {\"type\":1}.", x->pings);
    family(b, "dbot_interactions_verify_failures_total", "counter",
           "Requests refused 401: signature header missing, timestamp "
           "outside interactions_freshness_s, or signature wrong.");
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        put(b, "dbot_interactions_verify_failures_total{reason=\"%s\"} %llu\n",
            refused[i].reason,
            (unsigned long long)*(
                const uint64_t *)(const void *)((const char *)x +
                                                refused[i].off));
    counter(b, "dbot_interactions_http_malformed_total",
            "Verified requests refused 400 (not an interaction).",
            x->malformed);
    counter(b, "dbot_interactions_http_replays_total",
            "Verified requests refused 409 (an id already delivered).",
            x->replays);
    histogram(b, "dbot_interactions_http_response_seconds",
              "From an interaction request's last byte to its answer "
              "leaving.",
              x->ack_ms_hist, DBOT__HTTP_IX_LAT_BUCKETS, 1, 0.001,
              (double)x->ack_ms_sum / 1000.0);
}

/* The gateway cache: entries, bytes and refused entries per kind. */
static void
cache(struct buf *b, const struct dbot__cache_stats *cs)
{
    static const struct {
        const char *name, *type, *help;
        size_t off;
    } fam[] = {
        { "dbot_cache_entries", "gauge", "Entries in the gateway cache.",
          offsetof(struct dbot__cache_stats, entries) },
        { "dbot_cache_bytes", "gauge",
          "Bytes the gateway cache holds (strings counted once, as "
          "kind=\"strings\").",
          offsetof(struct dbot__cache_stats, bytes) },
        { "dbot_cache_dropped_total", "counter",
          "Entries not cached because their kind was at its bound.",
          offsetof(struct dbot__cache_stats, dropped) },
    };

    for (size_t f = 0; f < sizeof fam / sizeof fam[0]; f++) {
        const uint64_t *v =
            (const uint64_t *)(const void *)((const char *)cs + fam[f].off);

        family(b, fam[f].name, fam[f].type, fam[f].help);
        for (int k = 0; k <= DBOT__CK_COUNT; k++) {
            if (f == 2 && k == DBOT__CACHE_STAT_STRINGS)
                continue;
            put(b, "%s{kind=\"%s\"} %llu\n", fam[f].name,
                dbot__cache_stat_name(k), (unsigned long long)v[k]);
        }
    }
}

char *
dbot__metrics_render(const struct dbot__metrics_snapshot *s, size_t *len)
{
    struct buf b = { malloc(16384), 0, 16384, 0 };

    if (!b.p)
        return NULL;
    b.p[0] = '\0';
    gauge(&b, "dbot_stopping", "1 once shutdown has begun.", s->stopping);
    shards(&b, s);
    events(&b, s->events);
    interactions(&b, &s->ix);
    if (s->have_pool)
        pool(&b, &s->pool);
    if (s->have_rest)
        rest(&b, s);
    health(&b, &s->health);
    if (s->have_http)
        http(&b, &s->http);
    if (s->have_gateway) {
        gauge(&b, "dbot_gateway_backlog",
              "Events the gateway thread handed to the loop that no handler "
              "has seen yet (a blocked loop makes it grow).",
              s->gateway_backlog);
        counter(&b, "dbot_gateway_backlog_pauses_total",
                "Times the backlog passed gateway_backlog and the shards "
                "closed to resume later.",
                s->gateway_pauses);
    }
    if (s->have_coord)
        coord(&b, &s->coord);
    if (s->have_ixl)
        http_ix(&b, &s->ixl);
    if (s->cache)
        cache(&b, s->cache);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    if (len)
        *len = b.len;
    return b.p;
}
