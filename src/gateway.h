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
struct dbot_config;
struct dbot__loop;
struct dbot__resolver;
struct dbot__rest;

/* The bot's shards. bot.c owns this struct and grows `v` in place when
 * Discord's recommendation arrives (realloc: `v` moves). Other modules keep
 * a pointer to the struct, never to `v` or to an element's slot, and read
 * `n` each time: a saved copy of `v` dangles after the first growth. */
struct dbot__shard_set {
    struct dbot__gateway **v;
    int n;
    const int *ids; /* shard id of v[i] when this process runs a subset
                       ("shard_ids"), else NULL: v[i] is shard i */
    int total;      /* the bot's shard count when ids is set */
};

/* The shard id of v[i], and the bot's shard count (README "Running a
 * large bot": a process may run some of the bot's shards). */
static inline int
dbot__shard_set_id(const struct dbot__shard_set *s, int i)
{
    return s->ids ? s->ids[i] : i;
}

static inline int
dbot__shard_set_total(const struct dbot__shard_set *s)
{
    return s->ids ? s->total : s->n;
}

enum dbot__gw_state {
    DBOT__GW_IDLE,        /* not started, or waiting to reconnect */
    DBOT__GW_CONNECTING,  /* resolving, TCP/TLS/websocket handshake */
    DBOT__GW_HANDSHAKING, /* open, identify or resume sent */
    DBOT__GW_READY,       /* READY or RESUMED received */
    DBOT__GW_STOPPED,     /* stopped for good (shutdown or fatal close) */
};

/* What a shard needs from the bot that runs it, given at creation and
 * borrowed until dbot__gateway_free. The gateway knows the protocol, not
 * its consumers: every dispatch goes to one sink, and the wiring (bot.c)
 * fans it out to interactions, service health, user handlers and whatever
 * else listens; shard planning and the identify gate belong to the shard
 * manager in the wiring too. Callbacks run on the loop thread. */
struct dbot__gateway_hooks {
    const struct dbot_config *cfg;
    struct dbot__loop *loop;
    struct dbot__resolver *resolver;
    struct dbot__rest *rest; /* for GET /gateway/bot */

    void *ud; /* first argument of every callback */
    /* Every dispatch, in sequence order and once, after the gateway's own
     * session handling (READY, RESUMED). `ev` is borrowed until return. */
    void (*on_dispatch)(void *ud, const dbot_event *ev);
    /* GET /gateway/bot answered: Discord's shard count, identify buckets
     * and URL, before the shard identifies. */
    void (*on_plan)(void *ud, int recommended, int max_concurrency,
                    const char *gateway_url);
    /* GET /gateway/bot's session_start_limit: remaining, total and
     * reset_after (ms) as Discord sent them (unchecked), each -1 when
     * absent, before the shard identifies. May be NULL. */
    void (*on_session_limit)(void *ud, double remaining, double total,
                             double reset_after_ms);
    /* The identify gate: 0 and the slot is taken, or the ms to wait. */
    int64_t (*identify_wait)(void *ud, int shard_id);
    /* An Identify left on the wire: its bucket's 5 s start now. */
    void (*identify_sent)(void *ud, int shard_id);
    /* The bot's presence JSON (or NULL) and its generation. */
    const char *(*presence)(void *ud, unsigned *gen);
    /* A condition no reconnect can fix (bad token, disallowed intents):
     * the bot must stop with `err`. */
    void (*on_fatal)(void *ud, int err);
};

int dbot__gateway_new(struct dbot__gateway **out, int shard_id, int shard_count,
                      const struct dbot__gateway_hooks *hooks);

/* Cancels the shard's timers; its connection must already be closed or
 * the lws context destroyed. NULL is a no-op. */
void dbot__gateway_free(struct dbot__gateway *gw);

/* Cancel every timer of the shard and its connection. Called before the
 * lws context is destroyed. */
void dbot__gateway_cancel_timers(struct dbot__gateway *gw);

/* Before start: the shard count (auto sharding) and a known gateway URL. */
void dbot__gateway_set_count(struct dbot__gateway *gw, int shard_count);
void dbot__gateway_set_url(struct dbot__gateway *gw, const char *url);

/* Begin connecting (loop thread). */
void dbot__gateway_start(struct dbot__gateway *gw);

/* Close for good: the connection is closed with 1000 and no reconnect is
 * scheduled. dbot__gateway_is_closed() turns true when it is down. */
void dbot__gateway_stop(struct dbot__gateway *gw);
int dbot__gateway_is_closed(const struct dbot__gateway *gw);

/* Like dbot__gateway_stop, but close with `code`: 1000 ends the session
 * (the bot goes offline), any 4xxx code keeps it resumable for a few
 * minutes so a restarted process can resume it (state.c). */
void dbot__gateway_stop_code(struct dbot__gateway *gw, int code);

/* The shard's session, for saving across restarts. Pointers are borrowed
 * until the shard next changes its session (loop thread). Returns 1 when
 * the session can be resumed (id, a resume URL not known to be off the
 * gateway's site, and a sequence number), else 0 with *out zeroed. */
struct dbot__gw_session {
    const char *session_id;
    const char *resume_url;
    int64_t seq;
};
int dbot__gateway_session(const struct dbot__gateway *gw,
                          struct dbot__gw_session *out);

/* Adopt a saved session before dbot__gateway_start(), so the first
 * connection resumes instead of identifying. Strings are copied. The resume
 * URL must be on the gateway's site (url.h); when the gateway URL is not
 * known yet, that is checked before the first connection instead. Returns
 * 0, DBOT_EINVAL (incomplete session, or a resume URL elsewhere) or
 * DBOT_ENOMEM. */
int dbot__gateway_set_session(struct dbot__gateway *gw,
                              const struct dbot__gw_session *s);

/* Counters for metrics (loop thread). */
struct dbot__gw_counters {
    uint64_t connects;   /* connection attempts */
    uint64_t identifies; /* Identify payloads sent */
    uint64_t resumes;    /* Resume payloads sent */
    uint64_t resumed;    /* RESUMED received */
    uint64_t reconnects; /* reconnects scheduled */
    uint64_t queued;     /* payloads waiting to be sent now */
};
void dbot__gateway_counters(const struct dbot__gateway *gw,
                            struct dbot__gw_counters *out);

enum dbot__gw_state dbot__gateway_state(const struct dbot__gateway *gw);
int64_t dbot__gateway_latency_ms(const struct dbot__gateway *gw);

/* Queue a gateway payload (JSON text, <= 4096 bytes) for sending, subject
 * to the 120-per-60-s send limit. Returns 0, DBOT_ETOOBIG, DBOT_ENOMEM,
 * DBOT_ESTATE when no connection is open, or DBOT_EBUSY when the
 * connection's queue already holds 120 payloads or 128 KiB of the bot's
 * own (gateway_conn.c TXQ_MAX_*): nothing was queued. */
int dbot__gateway_send(struct dbot__gateway *gw, const char *json, size_t len);

/* Send the bot's presence (op 3) if the shard is READY and has not sent
 * this generation yet (presence.h). NULL is a no-op. Returns 0 (sent, or
 * nothing to send) or what dbot__gateway_send returned; a presence not
 * sent goes out with the next change, Resume or Identify. */
int dbot__gateway_sync_presence(struct dbot__gateway *gw);

/* The lws protocol callback for "dbot-gateway" (bot.c registers it;
 * gateway_conn.c). */
int dbot__gateway_lws_cb(struct lws *wsi, enum lws_callback_reasons reason,
                         void *user, void *in, size_t len);

#endif
