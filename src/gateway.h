/*
 * gateway.h: one gateway shard: a websocket session to Discord that
 * identifies, heartbeats, resumes, and reconnects until told to stop.
 */
#ifndef DBOT_SRC_GATEWAY_H
#define DBOT_SRC_GATEWAY_H

#include <dbot/dbot.h>

#include <libwebsockets.h>
#include <stddef.h>

struct dbot__gateway;

enum dbot__gw_state {
    DBOT__GW_IDLE,         /* not started, or waiting to reconnect */
    DBOT__GW_CONNECTING,   /* resolving, TCP/TLS/websocket handshake */
    DBOT__GW_HANDSHAKING,  /* open, identify or resume sent */
    DBOT__GW_READY,        /* READY or RESUMED received */
    DBOT__GW_STOPPED,      /* stopped for good (shutdown or fatal close) */
};

int dbot__gateway_new(struct dbot__gateway **out, dbot *bot, int shard_id,
                      int shard_count);

/* Cancels the shard's timers; its connection must already be closed or
 * the lws context destroyed. NULL is a no-op. */
void dbot__gateway_free(struct dbot__gateway *gw);

/* Cancel every timer of the shard and its connection. Called before the
 * lws context is destroyed. */
void dbot__gateway_cancel_timers(struct dbot__gateway *gw);

/* Before start: the shard count (auto sharding) and a known gateway URL. */
void dbot__gateway_set_count(struct dbot__gateway *gw, int shard_count);
void dbot__gateway_set_url(struct dbot__gateway *gw, const char *url);

/* bot.c: shard planning and the identify gate. */
void dbot__bot_shard_plan(dbot *bot, int recommended, int max_concurrency,
                          const char *gateway_url);
int64_t dbot__bot_identify_wait(dbot *bot, int shard_id);
void dbot__bot_identify_sent(dbot *bot, int shard_id);

/* Begin connecting (loop thread). */
void dbot__gateway_start(struct dbot__gateway *gw);

/* Close for good: the connection is closed with 1000 and no reconnect is
 * scheduled. dbot__gateway_is_closed() turns true when it is down. */
void dbot__gateway_stop(struct dbot__gateway *gw);
int dbot__gateway_is_closed(const struct dbot__gateway *gw);

enum dbot__gw_state dbot__gateway_state(const struct dbot__gateway *gw);
int64_t dbot__gateway_latency_ms(const struct dbot__gateway *gw);

/* Queue a gateway payload (JSON text, <= 4096 bytes) for sending, subject
 * to the 120-per-60-s send limit. Returns 0, DBOT_ETOOBIG or DBOT_ESTATE
 * when no connection is open. */
int dbot__gateway_send(struct dbot__gateway *gw, const char *json,
                       size_t len);

/* The lws protocol callback for "dbot-gateway" (bot.c registers it). */
int dbot__gateway_lws_cb(struct lws *wsi, enum lws_callback_reasons reason,
                         void *user, void *in, size_t len);

#endif
