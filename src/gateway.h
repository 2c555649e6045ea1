/*
 * gateway.h: one gateway shard: a websocket session to Discord that
 * identifies, heartbeats, resumes, and reconnects until told to stop.
 */
#ifndef DBOT_SRC_GATEWAY_H
#define DBOT_SRC_GATEWAY_H

#include "task.h"

#include <dbot/dbot.h>

#include <libwebsockets.h>
#include <stddef.h>

struct dbot__gateway;
struct dbot__jarena;
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

/* What a shard needs from the one that runs it, given at creation and
 * borrowed until dbot__gateway_free. The gateway knows the protocol, not
 * its consumers: every dispatch goes to one sink; shard planning and the
 * identify gate belong to the owner too.
 *
 * THREADS. A shard belongs to the thread that runs `loop` (the gateway
 * thread, gateway_thread.c): every function below runs there, and so do
 * the callbacks, except where a function says "any thread" (state,
 * latency, counters, is_closed: atomics for /metrics and /healthz on the
 * bot's loop). dbot__gateway_session is read once the gateway thread has
 * stopped. */
struct dbot__gateway_hooks {
    const struct dbot_config *cfg;
    struct dbot__loop *loop;         /* the gateway thread's */
    struct dbot__resolver *resolver; /* delivering to `loop` */
    struct dbot__rest *rest;         /* for GET /gateway/bot */
    /* Where REST answers to the shard go: a deliver function that runs
     * them on `loop`'s thread. */
    dbot__deliver_fn rest_deliver;

    void *ud; /* first argument of every callback */
    /* Every dispatch, in sequence order and once, after the gateway's own
     * session handling (READY, RESUMED). `ev` lives in the shard's arena:
     * return 1 to keep it there (it is then freed with the arena, which
     * the owner takes with dbot__gateway_swap_arena), 0 to free it on
     * return, -1 when the owner cannot take it now: the sequence number
     * stays before it and the shard resumes, so Discord sends it again. */
    int (*on_dispatch)(void *ud, struct dbot__gateway *gw,
                       const dbot_event *ev);
    /* Before every connection: 0 to go ahead, or the ms to wait before
     * asking again (NULL: never wait). */
    int64_t (*connect_wait)(void *ud, struct dbot__gateway *gw);
    /* GET /gateway/bot answered: Discord's shard count, identify buckets
     * and URL, before the shard identifies. */
    void (*on_plan)(void *ud, struct dbot__gateway *gw, int recommended,
                    int max_concurrency, const char *gateway_url);
    /* GET /gateway/bot's session_start_limit: remaining, total and
     * reset_after (ms) as Discord sent them (unchecked), each -1 when
     * absent, before the shard identifies. May be NULL. */
    void (*on_session_limit)(void *ud, double remaining, double total,
                             double reset_after_ms);
    /* The identify gate: 0 and the slot is taken, or the ms to wait. */
    int64_t (*identify_wait)(void *ud, int shard_id);
    /* An Identify left on the wire: its bucket's 5 s start now. */
    void (*identify_sent)(void *ud, int shard_id);
    /* A copy of the bot's presence JSON (or NULL; the shard frees it) and
     * its generation. */
    char *(*presence)(void *ud, unsigned *gen);
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
int dbot__gateway_is_closed(const struct dbot__gateway *gw); /* any thread */

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

/* Counters for metrics. Any thread. */
struct dbot__gw_counters {
    uint64_t connects;   /* connection attempts */
    uint64_t identifies; /* Identify payloads sent */
    uint64_t resumes;    /* Resume payloads sent */
    uint64_t resumed;    /* RESUMED received */
    uint64_t reconnects; /* reconnects scheduled */
    uint64_t queued;     /* payloads waiting to be sent now */
    uint64_t own_msgs;   /* of them (or on their way to the gateway
                            thread), the bot's own: the bounded ones */
    uint64_t own_bytes;  /* and their bytes */
};
void dbot__gateway_counters(const struct dbot__gateway *gw,
                            struct dbot__gw_counters *out);

/* Any thread. */
enum dbot__gw_state dbot__gateway_state(const struct dbot__gateway *gw);
int64_t dbot__gateway_latency_ms(const struct dbot__gateway *gw);
int dbot__gateway_shard_id(const struct dbot__gateway *gw);

/* A pointer the owner keeps with the shard (its per-shard batch). */
void dbot__gateway_set_user(struct dbot__gateway *gw, void *user);
void *dbot__gateway_user(const struct dbot__gateway *gw);

/* Hand the arena holding the events kept since the last swap to the
 * caller and parse into `fresh` from now on (never NULL). Between two lws
 * callbacks only. */
struct dbot__jarena *dbot__gateway_swap_arena(struct dbot__gateway *gw,
                                              struct dbot__jarena *fresh);
/* How much arena one message's parse tree may take (16 times
 * max_message_bytes): the bound of every arena the shards parse into. */
size_t dbot__gateway_arena_bound(size_t max_message_bytes);

/* The arena messages are parsed into now (to see how much it holds). */
const struct dbot__jarena *dbot__gateway_arena(const struct dbot__gateway *gw);

/* Close the connection so that it resumes (the session stays): the owner
 * cannot take more events now; connect_wait holds the next connection
 * until it can. */
void dbot__gateway_pause(struct dbot__gateway *gw);

/* Take room for one of the bot's own payloads of `len` bytes in the
 * shard's send queue: 0, or DBOT_EBUSY when 120 payloads or 128 KiB of
 * the bot's own already wait (gateway_conn.h, dbot__gw_budget). Any
 * thread: the loop thread takes room, then hands the payload over. */
int dbot__gateway_reserve(struct dbot__gateway *gw, size_t len);
/* Give back room reserved for a payload that was never handed over. */
void dbot__gateway_unreserve(struct dbot__gateway *gw, size_t len);

/* Queue a payload whose room was reserved (JSON text, <= 4096 bytes),
 * subject to the 120-per-60-s send limit. Returns 0, DBOT_ETOOBIG,
 * DBOT_ENOMEM or DBOT_ESTATE when no connection is open; on an error the
 * room is given back and nothing was queued. */
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
