/*
 * http_interactions.h: the Interactions Endpoint: Discord POSTs each
 * interaction to interactions_listen + interactions_path instead of
 * sending INTERACTION_CREATE on the gateway. A second source of
 * interactions beside the gateway: every request is verified, then handed
 * to the sink the wiring gave (bot.c feeds it to the same routes and
 * handlers), with a transport hook that makes the initial response the
 * request's answer.
 *
 * THREADS. Loop thread only.
 */
#ifndef DBOT_SRC_HTTP_INTERACTIONS_H
#define DBOT_SRC_HTTP_INTERACTIONS_H

#include "http.h"
#include "interaction.h"

#include <dbot/dbot.h>

#include <stdint.h>

struct dbot__http_ix;
struct dbot_config;
struct lws_context;

/* Where verified interactions go: 0 when handlers took it (t's respond
 * will be called, or its release), else a negative error from
 * dbot__interactions_on_http (DBOT_ESTATE: a replay). d is borrowed for
 * the call; t is copied. */
typedef int (*dbot__http_ix_sink_fn)(void *ud, const cJSON *d,
                                     const struct dbot__ix_transport *t);

/* What the listener uses, handed over by the wiring and borrowed until
 * dbot__http_ix_free. `bot` is only passed on to answer callbacks. */
struct dbot__http_ix_deps {
    dbot *bot;
    const struct dbot_config *cfg; /* interactions_*, public_key */
    struct lws_context *ctx;
    dbot__http_ix_sink_fn sink;
    void *sink_ud;
};

#define DBOT__HTTP_IX_LAT_BUCKETS 16
/* Counters for /metrics and /healthz. */
struct dbot__http_ix_stats {
    int listening;
    int port;
    uint64_t requests;          /* POSTs to interactions_path, read whole */
    uint64_t pings;             /* type 1, answered {"type":1} */
    uint64_t delivered;         /* handed to the handlers */
    uint64_t unsigned_requests; /* 401: a signature header missing */
    uint64_t stale;             /* 401: timestamp outside the window */
    uint64_t bad_signature;     /* 401: the signature does not verify */
    uint64_t malformed;         /* 400: not a JSON object, no id/token */
    uint64_t replays;           /* 409: an id already delivered */
    /* From the request's last byte to its answer handed to the socket,
     * for interactions (not PINGs or refusals): [2^(i-1), 2^i) ms. */
    uint64_t ack_ms_hist[DBOT__HTTP_IX_LAT_BUCKETS];
    int64_t ack_ms_sum;
    unsigned long long by_status[DBOT__HTTP_STATUS_SLOTS]; /* answers */
    int open; /* connections open now */
};

/* Is the X-Signature-Timestamp `ts` (decimal Unix seconds) within
 * window_s of now_s, either way? Pure; 1 or 0 (also for anything that is
 * not a plain number). */
int dbot__http_ix_fresh(const char *ts, int64_t now_s, int window_s);

/* Check the configuration (the public key parses). No I/O. Returns 0,
 * DBOT_EINVAL (bad key) or DBOT_ENOMEM. */
int dbot__http_ix_new(struct dbot__http_ix **out,
                      const struct dbot__http_ix_deps *d);

/* Listen on interactions_listen. Returns 0, DBOT_EIO (cannot bind;
 * logged), DBOT_EINVAL or DBOT_ENOMEM. */
int dbot__http_ix_start(struct dbot__http_ix *l);

/* Stop listening; requests waiting for an answer are dropped (their
 * interactions see the transport fail). NULL is a no-op. */
void dbot__http_ix_stop(struct dbot__http_ix *l);

/* Initial responses given but not yet handed to the socket: shutdown
 * waits for them as for REST requests in flight. 0 for NULL. */
int dbot__http_ix_inflight(const struct dbot__http_ix *l);

/* The port bound, or -1 when not listening. */
int dbot__http_ix_port(const struct dbot__http_ix *l);

void dbot__http_ix_stats(const struct dbot__http_ix *l,
                         struct dbot__http_ix_stats *out);

/* Stop and free. NULL is a no-op. Before the lws context is destroyed. */
void dbot__http_ix_free(struct dbot__http_ix *l);

#endif
