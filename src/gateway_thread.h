/*
 * gateway_thread.h: the gateway's own I/O thread.
 *
 * The shards (gateway.h) run on a thread of their own, with their own lws
 * context, resolver and timers: sockets, TLS, inflate, parsing, heartbeats,
 * session bookkeeping, the identify gate, and the 3-second deadlines of
 * interactions (ack_guard.h). None of it runs user code, so a handler that
 * blocks the bot's loop stops none of it: heartbeats leave on time, events
 * keep being read and queued in order, and interactions are deferred.
 *
 * Events reach the bot's loop in batches: the trees of a shard's events
 * stay in the arena they were parsed into (json_arena.h), and the arena
 * goes to the loop with the batch, so the hop costs one post per batch and
 * no copy. The queue is bounded: past `gateway_backlog` events handed over
 * but not yet handled, every shard closes its connection resumably and
 * waits until the loop has caught up to half of it, then resumes, and
 * Discord replays what it missed (nothing is lost, nothing comes twice).
 *
 * THREADS. dbot__gwt_new, _start, _stop and _free: the thread that builds
 * and runs the bot, _start before and _stop after its loop runs.
 * dbot__gwt_add_shard, _stop_shards, _sync_presence, _send: the bot's
 * loop thread (they post to the gateway thread; a NULL thread, an
 * HTTP-only bot, is a no-op or DBOT_ESTATE). on_events, on_plan, on_fatal
 * and on_deferred run on the bot's loop thread.
 */
#ifndef DBOT_SRC_GATEWAY_THREAD_H
#define DBOT_SRC_GATEWAY_THREAD_H

#include "ack_guard.h"
#include "gateway.h"

#include <dbot/dbot.h>

#include <stddef.h>

struct dbot__coord;
struct dbot__gwt;
struct dbot__loop;
struct dbot__rest;

/* One event handed to the loop, with its interaction deadline (or NULL). */
struct dbot__gwt_event {
    dbot_event ev;
    struct dbot__ack *ack; /* the batch keeps the reference: ref it to
                              keep it past on_events */
};

struct dbot__gwt_deps {
    const struct dbot_config *cfg;
    struct dbot__rest *rest;
    struct dbot__coord *coord; /* or NULL */
    struct dbot__loop *bot_loop;
    void *ud; /* first argument of the callbacks */
    /* A batch of one shard's events, in order. The events and their trees
     * are borrowed until return. */
    void (*on_events)(void *ud, const struct dbot__gwt_event *ev, size_t n);
    /* Discord's shard count (GET /gateway/bot) when the bot was told to
     * plan its shards: shard 0 already identifies with `recommended`; the
     * bot adds shards 1.. with dbot__gwt_add_shard. */
    void (*on_plan)(void *ud, int recommended, const char *gateway_url);
    /* A shard met a condition no reconnect fixes (bad token, intents). */
    void (*on_fatal)(void *ud, int err);
    /* The bot's presence: a copy (the caller frees) and its generation.
     * Gateway thread. */
    char *(*presence)(void *ud, unsigned *gen);
    /* The guard's defer of an interaction was answered (ack_guard.h). */
    void (*on_deferred)(void *ud, struct dbot__ack *a,
                        const dbot_rest_result *res);
};

/* Returns 0, DBOT_ENOMEM (logged). */
int dbot__gwt_new(struct dbot__gwt **out, const struct dbot__gwt_deps *d);

/* The hooks every shard of this thread is created with. */
const struct dbot__gateway_hooks *dbot__gwt_hooks(struct dbot__gwt *t);

/* Whether shard 0 waits for Discord's shard count: "shards": 0 and no
 * saved sessions telling it. Before dbot__gwt_start. */
void dbot__gwt_plan_shards(struct dbot__gwt *t, int yes);

/* Start the thread. Returns 0 or DBOT_ENOMEM. */
int dbot__gwt_start(struct dbot__gwt *t);

/* Run `gw` on the gateway thread from now on and connect it (from the
 * thread, once it runs). Returns 0, DBOT_ENOMEM. */
int dbot__gwt_add_shard(struct dbot__gwt *t, struct dbot__gateway *gw);

/* Close every shard with `code` (1000 ends the sessions, 4000 keeps them
 * resumable) and stop the resolver: shutdown began, nothing connects any
 * more. dbot__gateway_is_closed tells when each shard is down. */
void dbot__gwt_stop_shards(struct dbot__gwt *t, int code);

/* Send the bot's presence to `gw` if it changed. */
void dbot__gwt_sync_presence(struct dbot__gwt *t, struct dbot__gateway *gw);

/* Queue one of the bot's gateway payloads on `gw`. Returns 0 (taken: it
 * leaves within the send limit, or is dropped with a warning if the
 * connection goes first), DBOT_ESTATE (the shard is not READY),
 * DBOT_EBUSY (the queue is full: gateway.h dbot__gateway_reserve),
 * DBOT_ENOMEM. */
int dbot__gwt_send(struct dbot__gwt *t, struct dbot__gateway *gw,
                   const char *json, size_t len);

/* Stop and join the thread; batches it handed over stay in the bot's
 * loop inbox. Shards' timers are cancelled, their sockets closed by
 * dbot__gwt_free. */
void dbot__gwt_stop(struct dbot__gwt *t);

/* After dbot__gwt_stop: cancel the shards' timers, destroy the lws context
 * (closing what is still open), free the guard. The shards themselves are
 * the caller's (dbot__gateway_free after this). NULL is a no-op. */
void dbot__gwt_free(struct dbot__gwt *t);

/* Events handed to the loop and not yet handled. Any thread. */
size_t dbot__gwt_backlog(const struct dbot__gwt *t);
/* Bytes the arenas waiting for reuse hold: each is back to its first
 * chunk once the loop has run its batch. Any thread. */
size_t dbot__gwt_pool_bytes(struct dbot__gwt *t);
/* Times the backlog made the shards step back and resume. Any thread. */
uint64_t dbot__gwt_backlog_pauses(const struct dbot__gwt *t);

#endif
