/*
 * gateway_conn.h: one gateway websocket. A connection resolves the host,
 * opens the socket (TLS by OpenSSL), decompresses zlib-stream or
 * zstd-stream, parses every message's envelope (into its arena), keeps the
 * heartbeat going and the send queue within Discord's 120-per-60-s limit, and
 * closes with a real close frame. It knows nothing of sessions: what the
 * session must decide (Identify or Resume after Hello, dispatches, op 7, op 9,
 * what to do once the socket is gone) goes to the callbacks it was given.
 *
 * Used by gateway_session.c only (the shard). THREADS: loop thread only.
 */
#ifndef DBOT_SRC_GATEWAY_CONN_H
#define DBOT_SRC_GATEWAY_CONN_H

#include "gateway_codec.h"

#include <libwebsockets.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct dbot__gw_conn;
struct dbot__loop;
struct dbot__resolver;

/* Any close code but 1000/1001 keeps the session resumable. */
#define DBOT__GW_CLOSE_RESUMABLE 4000

/* What the session should do once the socket is gone, when one side
 * decided to close it. */
enum dbot__gw_after {
    DBOT__GW_AFTER_RECONNECT = 0, /* from the server's close code, else
                                     resume */
    DBOT__GW_AFTER_RESUME,
    DBOT__GW_AFTER_IDENTIFY, /* the session is gone */
    DBOT__GW_AFTER_STOP,
};

/* What a queued payload is: the bot's own (bounded), or one the session
 * needs to stay alive (never refused for queue size). */
enum dbot__gw_tx {
    DBOT__GW_TX_USER = 0, /* dbot_shard_send, presence */
    DBOT__GW_TX_SESSION,  /* Identify, Resume */
};

/* A payload the session wants to hear about when it is written (not when
 * queued: a queue dropped with its socket never reached Discord). */
enum dbot__gw_tag {
    DBOT__GW_TAG_NONE = 0,
    DBOT__GW_TAG_IDENTIFY, /* its max_concurrency bucket starts now */
    DBOT__GW_TAG_PRESENCE, /* this generation is Discord's now */
};

/* How the socket ended, for the session's reconnect policy. */
struct dbot__gw_conn_end {
    int established;       /* the websocket had opened */
    int server_close_code; /* from the server's close frame, 0: none */
    enum dbot__gw_after after;
};

/* Callbacks, on the loop thread, with `ud` first. None may free the
 * connection; on_end is the last call and the connection is freed when it
 * returns. */
struct dbot__gw_conn_cbs {
    void *ud;
    /* Hello arrived and the heartbeat runs: send Identify or Resume. */
    void (*on_hello)(void *ud);
    /* Every other message: dispatches, op 7, op 9, unknown ops. `m` and
     * its tree are read-only (the tree lives in *opts.arena: copy with
     * cJSON_Duplicate). Return 1 to keep the tree in the arena (the owner
     * frees it with the arena's batch), 0 to have it freed on return.
     * `after_malformed` is 1 once a message on this connection failed to
     * parse (watch for a gap). */
    int (*on_message)(void *ud, const struct dbot__gw_msg *m,
                      int after_malformed);
    /* A heartbeat was acknowledged, `latency_ms` after it was written. */
    void (*on_ack)(void *ud, int64_t latency_ms);
    /* A tagged payload was written to the socket. */
    void (*on_written)(void *ud, enum dbot__gw_tag tag, unsigned gen);
    /* The socket is gone (or never opened). */
    void (*on_end)(void *ud, const struct dbot__gw_conn_end *end);
};

/* The bot's own payloads (DBOT__GW_TX_USER: dbot_shard_send, presence)
 * waiting to leave, counted where any thread can take room at once: the
 * caller takes room before it hands a payload over (the loop thread hands
 * it to the gateway thread), and the connection gives it back when the
 * payload is written or dropped with its queue. Discord takes 120 sends a
 * minute, so a bot that queues faster would grow the queue forever: past
 * one window's worth of payloads or 128 KiB, DBOT_EBUSY. Owned by the
 * session: it outlives connections. */
struct dbot__gw_budget {
    pthread_mutex_t mu;
    int msgs;
    size_t bytes;
};
/* 0 and the room is taken, or DBOT_EBUSY. Any thread. */
int dbot__gw_budget_take(struct dbot__gw_budget *b, size_t len);
void dbot__gw_budget_give(struct dbot__gw_budget *b, size_t len);

struct dbot__gw_conn_opts {
    struct dbot__loop *loop;
    struct dbot__resolver *resolver;
    const char *url; /* wss://host[:port][/path]; the query is ours */
    int tls_verify;
    size_t max_message_bytes; /* inflated, per message */
    int compress;             /* DBOT__COMPRESS_ZLIB or _ZSTD (config.h) */
    int shard_id;             /* for logs */
    /* The session's last sequence number (-1: none), read for every
     * heartbeat; borrowed for the connection's life. */
    const int64_t *seq;
    /* Where messages are parsed: *arena, the owner's, which it may swap
     * between two callbacks (never during one). Borrowed. */
    struct dbot__jarena *const *arena;
    /* Given back as the bot's own payloads leave or are dropped; the
     * sender took their room (dbot__gw_budget_take). Borrowed. */
    struct dbot__gw_budget *budget;
};

/* Parse the URL and start resolving its host. Returns 0, DBOT_EINVAL (a
 * URL that is not a gateway URL; nothing was started) or DBOT_ENOMEM.
 * *out is written before any callback, and on_end may come before this
 * returns (the lookup could not start): pass the owner's own slot as
 * `out` and let on_end clear it. */
int dbot__gw_conn_open(struct dbot__gw_conn **out,
                       const struct dbot__gw_conn_opts *o,
                       const struct dbot__gw_conn_cbs *cbs);

/* Decide to close with `code`, then `after`; the frame leaves from
 * WRITEABLE, and a socket that cannot send it within 5 s is dropped. The
 * first decision wins. A connection still resolving ends at once (on_end
 * before this returns). */
void dbot__gw_conn_close(struct dbot__gw_conn *c, int code,
                         enum dbot__gw_after after);

/* Queue a payload (JSON text). Returns 0, DBOT_ETOOBIG (over 4096 bytes),
 * DBOT_ENOMEM, DBOT_ESTATE (no open socket, or closing), or DBOT_EBUSY
 * when a DBOT__GW_TX_USER payload finds 120 payloads or 128 KiB of the
 * bot's own already waiting: nothing was queued. */
int dbot__gw_conn_send(struct dbot__gw_conn *c, const char *json, size_t len,
                       enum dbot__gw_tx kind, enum dbot__gw_tag tag,
                       unsigned gen);

/* 1 once either side decided to close: nothing more will be sent. */
int dbot__gw_conn_closing(const struct dbot__gw_conn *c);

/* Payloads waiting to be written. */
int dbot__gw_conn_queued(const struct dbot__gw_conn *c);

/* Stop every timer (before the lws context goes). */
void dbot__gw_conn_cancel_timers(struct dbot__gw_conn *c);

/* Free without callbacks, whatever its state (the bot is going away and
 * lws will not call back for its socket). NULL is a no-op. */
void dbot__gw_conn_free(struct dbot__gw_conn *c);

/* The lws protocol callback, dbot__gateway_lws_cb, is declared in
 * gateway.h (the wiring registers it) and defined in gateway_conn.c. */

#endif
