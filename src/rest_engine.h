/*
 * rest_engine.h: the REST client's insides, shared by its files. An
 * engine is one CURLM with its own rate limiter, transfers and idle easy
 * handles; the client (struct dbot__rest) holds the configuration, the
 * counters and the way back to the loop, and runs one or two engines:
 *
 *   the thread's   every request; owned by the REST thread (rest.c), which
 *                  sleeps in curl_multi_poll.
 *   the loop lane  the initial responses to interactions that a handler
 *                  sends from the loop thread (rest_lane.c): its sockets
 *                  sit in the loop's poll set, so the callback leaves
 *                  before the handler returns and its answer is read by
 *                  the loop itself, with no thread in between.
 *
 * The request's life (limiter, attempts, retries, deadlines, completion)
 * is the same code for both: the functions below. Private to the REST
 * module.
 */
#ifndef DBOT_SRC_REST_ENGINE_H
#define DBOT_SRC_REST_ENGINE_H

#include "ratelimit.h"
#include "rest.h"
#include "rest_request.h"

#include <curl/curl.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#define DBOT__REST_EASY_POOL 64 /* idle easy handles kept for reuse */

struct dbot__rest_lane;

struct dbot__rest_engine {
    struct dbot__rest *client;
    CURLM *multi;
    struct dbot__rl *rl;
    struct dbot__rest_req *running; /* transfers in the multi */
    size_t n_running;
    CURL *idle[DBOT__REST_EASY_POOL]; /* reset easy handles */
    size_t n_idle;
    uint64_t rng;       /* retry jitter */
    uint64_t nonce_rng; /* channel message nonces */
    int64_t next_sweep;
    /* Completions run here and now instead of through the client's
     * deliver: set by the loop lane while the loop itself drives it (not
     * inside a handler's submit, where a callback must not run). */
    bool direct;
};

struct dbot__rest {
    dbot *owner; /* for the public callbacks' first argument */
    struct dbot__rest_conf conf;
    int max_retries, retry_base_ms, max_429, deadline_ms;
    dbot__deliver_fn deliver;
    void *ctx;
    struct dbot__rest_engine eng; /* the thread's */
    struct dbot__rest_lane *lane; /* the loop lane, or NULL */
    pthread_t thread;
    pthread_mutex_t mu;
    struct dbot__rest_req *inbox, *inbox_tail; /* guarded by mu */
    bool stopping;                             /* guarded by mu */
    struct dbot__rest_req *cancelled; /* filled by the thread as it exits */
    atomic_uint_fast64_t n_sent, n_done, n_retries, n_limited, n_http2;
    atomic_uint_fast64_t n_expired;
    atomic_uint_fast64_t n_submitted, n_waited, n_wait_ms;
    atomic_uint_fast64_t n_lane; /* requests the loop lane took */
    /* Completions by route template and status, for /metrics. Bounded:
     * routes past the table's size are counted under "other". */
    pthread_mutex_t counts_mu;
    struct dbot__rest_route_count counts[DBOT__REST_ROUTE_SLOTS];
    int ncounts;
};

/* Set up / tear down an engine: a multi and a limiter with the client's
 * shared hooks (may be NULL). Returns 0 or DBOT_ENOMEM. */
int dbot__rest_engine_init(struct dbot__rest_engine *e, struct dbot__rest *r,
                           int global_per_sec,
                           const struct dbot__rl_shared *shared);
void dbot__rest_engine_cleanup(struct dbot__rest_engine *e);

/* A new request enters the engine's limiter (deadline, nonce, lane), or
 * is completed with an error. The engine's thread. */
void dbot__rest_engine_accept(struct dbot__rest_engine *e,
                              struct dbot__rest_req *q, int64_t now);

/* Fail what can no longer be sent in time, sweep idle limiter state, and
 * start what the limiter allows. Returns how many transfers started;
 * *wake gets the limiter's next wake time (INT64_MAX: none). */
size_t dbot__rest_engine_pump(struct dbot__rest_engine *e, int64_t now,
                              int64_t *wake);

/* Finish the transfers curl reports done: complete, retry or requeue. */
void dbot__rest_engine_collect(struct dbot__rest_engine *e);

/* Take every unfinished request out of the engine (transfers removed,
 * limiter drained) and push them onto *list, for cancellation. */
void dbot__rest_engine_cancel_all(struct dbot__rest_engine *e,
                                  struct dbot__rest_req **list);

/* Run the callback of each request on `list` with DBOT_ECANCELED, on the
 * calling thread, and free them. */
void dbot__rest_cancel_list(struct dbot__rest_req *list);

/* The loop lane (rest_lane.c). new: NULL when it cannot be set up (the
 * thread then takes every request). submit: loop thread. free: loop
 * thread; unfinished requests are cancelled (DBOT_ECANCELED) there. */
struct dbot__loop;
struct dbot__rest_lane *dbot__rest_lane_new(struct dbot__rest *r,
                                            struct dbot__loop *loop,
                                            const struct dbot__rl_shared *sh);
bool dbot__rest_lane_takes(const struct dbot__rest_lane *lane,
                           const struct dbot__rest_req *q);
void dbot__rest_lane_submit(struct dbot__rest_lane *lane,
                            struct dbot__rest_req *q);
void dbot__rest_lane_free(struct dbot__rest_lane *lane);

#endif
