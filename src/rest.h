/*
 * rest.h: the REST client. One dedicated thread owns a CURLM; the loop
 * thread submits requests and gets every completion back through the
 * deliver function it passed in. Design note at the top of rest.c.
 */
#ifndef DBOT_SRC_REST_H
#define DBOT_SRC_REST_H

#include "ratelimit.h"
#include "task.h"

#include <dbot/dbot.h>

#include <dbot/rest.h>

#include <stddef.h>
#include <stdint.h>

#define DBOT__REST_USER_AGENT \
    "DiscordBot (" DBOT_PROJECT_URL ", " DBOT_VERSION ")"
#define DBOT__REST_MAX_BODY       (8u * 1024 * 1024)
#define DBOT__REST_MAX_FILES      10
#define DBOT__REST_IX_DEADLINE_MS 3000 /* interaction callback deadline */
/* Any other request: an interaction token's lifetime, long enough for any
 * sane rate-limit wait, short enough that nobody waits for an answer that
 * no longer matters. */
#define DBOT__REST_DEADLINE_MS (15 * 60 * 1000)

struct dbot__loop;

/* Zero fields take the defaults in brackets. Strings are copied. */
struct dbot__rest_opts {
    dbot *owner; /* handed to public callbacks as their bot; not used here */
    const char *api_url;     /* [DBOT_DEFAULT_API_URL]; no trailing '/' */
    const char *token;       /* bare bot token; NULL: no Authorization */
    const char *user_agent;  /* [DBOT__REST_USER_AGENT] */
    long connect_timeout_ms; /* [10000] */
    long timeout_ms;         /* whole transfer [30000] */
    int global_per_sec;      /* [50] */
    const struct dbot__rl_shared *shared; /* limits shared with other
                                             processes (coord.h), or NULL;
                                             copied */
    int tls_insecure;      /* [0] verify certificates; 1 skips it (tests
                              only; config "tls_verify": false) */
    const char *ca_file;   /* extra CA bundle or NULL */
    size_t max_body_bytes; /* [8 MiB] larger responses fail ETOOBIG */
    int max_retries;       /* 5xx/transport retries [3]; < 0: none */
    int retry_base_ms;     /* first backoff [250], doubling */
    int max_429_retries;   /* [8] */
    int deadline_ms;       /* a request's whole life: queueing, rate-limit
                              waits and retries [DBOT__REST_DEADLINE_MS];
                              interaction callbacks always 3000 */
    /* The loop thread's loop, for the loop lane (rest_engine.h): initial
     * interaction responses submitted on that thread, without files, are
     * sent from the loop itself; NULL: the REST thread sends everything.
     * Borrowed; the client must be freed before the loop closes. */
    struct dbot__loop *loop;
};

/* One request. Everything is borrowed for the call (copied). */
struct dbot__rest_call {
    const char *method; /* GET POST PUT PATCH DELETE */
    const char *path;   /* "/channels/1/messages", may hold a query */
    const char *body;   /* JSON text or NULL */
    size_t body_len;
    const char *reason; /* X-Audit-Log-Reason, raw UTF-8, or NULL */
    const dbot_rest_file *files;
    size_t nfiles;
    /* Where the callback runs, when not on the client's deliver (the
     * gateway thread's loop for GET /gateway/bot); NULL: the client's. */
    dbot__deliver_fn deliver;
    void *deliver_ctx;
};

/* Runs on the loop thread (through deliver), once per accepted request. */
typedef void (*dbot__rest_cb)(const dbot_rest_result *res, void *ud);

struct dbot__rest;

/* Name: dbot__rest_new
 * Desc: start the REST thread. Completions are handed to
 *       deliver(ctx, fn, arg), which must run fn(arg) on the loop thread
 *       (dbot__post_task in production). Loop thread.
 * Returns: the client, or NULL (logged) when curl or the thread failed. */
struct dbot__rest *dbot__rest_new(const struct dbot__rest_opts *o,
                                  dbot__deliver_fn deliver, void *ctx);

/* Name: dbot__rest_submit
 * Desc: queue a request for the REST thread and wake it. Any thread (the
 *       gateway thread asks for /gateway/bot and sends auto-defers).
 * Returns: 0 (cb will run exactly once, through deliver, or from
 *       dbot__rest_free with DBOT_ECANCELED), DBOT_EINVAL, DBOT_ENOMEM. */
int dbot__rest_submit(struct dbot__rest *r, const struct dbot__rest_call *c,
                      dbot__rest_cb cb, void *ud);

/* Name: dbot__rest_free
 * Desc: stop the thread, then call the callback of every request not yet
 *       completed with DBOT_ECANCELED, on the calling (loop) thread.
 *       Completions already handed to deliver are not touched: they run
 *       when the loop runs them. NULL is a no-op. */
void dbot__rest_free(struct dbot__rest *r);

/* Counters, readable from any thread (tests, the health endpoint). */
struct dbot__rest_stats {
    uint64_t sent;      /* transfers started (each attempt counts) */
    uint64_t done;      /* requests completed (callback handed over) */
    uint64_t retries;   /* attempts requeued after 5xx/transport errors */
    uint64_t expired;   /* requests failed for waiting past their deadline */
    uint64_t limited;   /* 429s received */
    uint64_t http2;     /* responses that came over HTTP/2 */
    uint64_t submitted; /* requests accepted by dbot__rest_submit */
    uint64_t waited;    /* requests the limiter held back >= 10 ms */
    uint64_t wait_ms;   /* their total wait */
    uint64_t lane;      /* requests the loop lane took (of submitted) */
};
void dbot__rest_stats(const struct dbot__rest *r, struct dbot__rest_stats *st);

/* Name: dbot__rest_wake
 * Desc: any thread: make the REST thread look at its limiter again (a
 *       shared global slot arrived, coord.h). `rest` is a struct
 *       dbot__rest *. */
void dbot__rest_wake(void *rest);

/* Completed requests by route template ("POST /channels/{id}/messages",
 * never a token) and HTTP status (0: transport error). Copies up to `max`
 * entries; returns how many. Any thread. */
#define DBOT__REST_ROUTE_SLOTS 64
struct dbot__rest_route_count {
    char route[256];
    int status;
    uint64_t count;
};
int dbot__rest_route_counts(struct dbot__rest *r,
                            struct dbot__rest_route_count *out, int max);

/* Routes (rest_routes.c, rest_reactions.c): what the public calls of
 * <dbot/rest.h> with the same name after "dbot_" do, with the same
 * arguments, contracts and errors, on client `r`; callbacks get the
 * client's owner (dbot__rest_opts.owner) as their bot. Loop thread. */
int dbot__rest_ex(struct dbot__rest *r, const char *method, const char *path,
                  const cJSON *body, const dbot_rest_opts *opts,
                  dbot_rest_fn cb, void *data);
int dbot__rest_json(struct dbot__rest *r, const char *method, const char *path,
                    const cJSON *body, dbot_rest_fn cb, void *data);
int dbot__rest_message_create(struct dbot__rest *r, uint64_t channel_id,
                              const cJSON *msg, dbot_rest_fn cb, void *data);
int dbot__rest_message_send(struct dbot__rest *r, uint64_t channel_id,
                            const char *text, dbot_rest_fn cb, void *data);
int dbot__rest_interaction_callback(struct dbot__rest *r,
                                    uint64_t interaction_id, const char *token,
                                    const cJSON *body, dbot_rest_fn cb,
                                    void *data);
int dbot__rest_interaction_followup(struct dbot__rest *r, uint64_t app_id,
                                    const char *token, const cJSON *msg,
                                    dbot_rest_fn cb, void *data);
int dbot__rest_interaction_followup_edit(struct dbot__rest *r, uint64_t app_id,
                                         const char *token, uint64_t message_id,
                                         const cJSON *msg, dbot_rest_fn cb,
                                         void *data);
int dbot__rest_interaction_followup_delete(struct dbot__rest *r,
                                           uint64_t app_id, const char *token,
                                           uint64_t message_id, dbot_rest_fn cb,
                                           void *data);
int dbot__rest_interaction_original_edit(struct dbot__rest *r, uint64_t app_id,
                                         const char *token, const cJSON *msg,
                                         dbot_rest_fn cb, void *data);
int dbot__rest_interaction_original_delete(struct dbot__rest *r,
                                           uint64_t app_id, const char *token,
                                           dbot_rest_fn cb, void *data);
int dbot__rest_commands_overwrite_global(struct dbot__rest *r, uint64_t app_id,
                                         const cJSON *cmds, dbot_rest_fn cb,
                                         void *data);
int dbot__rest_commands_overwrite_guild(struct dbot__rest *r, uint64_t app_id,
                                        uint64_t guild_id, const cJSON *cmds,
                                        dbot_rest_fn cb, void *data);
int dbot__rest_commands_get_global(struct dbot__rest *r, uint64_t app_id,
                                   dbot_rest_fn cb, void *data);
int dbot__rest_commands_get_guild(struct dbot__rest *r, uint64_t app_id,
                                  uint64_t guild_id, dbot_rest_fn cb,
                                  void *data);
int dbot__rest_gateway_bot_get(struct dbot__rest *r, dbot_rest_fn cb,
                               void *data);
int dbot__rest_application_get(struct dbot__rest *r, dbot_rest_fn cb,
                               void *data);
int dbot__rest_reaction_add(struct dbot__rest *r, uint64_t channel_id,
                            uint64_t message_id, const char *emoji,
                            dbot_rest_fn cb, void *data);
int dbot__rest_reaction_remove_own(struct dbot__rest *r, uint64_t channel_id,
                                   uint64_t message_id, const char *emoji,
                                   dbot_rest_fn cb, void *data);
int dbot__rest_reaction_remove_user(struct dbot__rest *r, uint64_t channel_id,
                                    uint64_t message_id, const char *emoji,
                                    uint64_t user_id, dbot_rest_fn cb,
                                    void *data);

/* 1 if `token` (an interaction or webhook token) is one plain path
 * segment: not empty, no '/', '?', '#', spaces or non-ASCII. */
int dbot__rest_token_ok(const char *token);

/* The `owner` given in dbot__rest_opts (opaque here). */
dbot *dbot__rest_owner(const struct dbot__rest *r);

#endif
