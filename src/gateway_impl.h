/*
 * gateway_impl.h: what gateway.c (the shard, its connections, reconnects
 * and the lws callback) and gateway_session.c (what arrives on a
 * connection: Hello, heartbeats, Identify/Resume, dispatches) share.
 * Private to those two files: everything else goes through gateway.h.
 *
 * THREADS. Loop thread only.
 */
#ifndef DBOT_SRC_GATEWAY_IMPL_H
#define DBOT_SRC_GATEWAY_IMPL_H

#include "gateway.h"
#include "discord_limits.h"

#include "config.h"
#include "gateway_codec.h"
#include "url.h"
#include "zstream.h"

#include <libwebsockets.h>

#define US_PER_MS         1000
#define CLOSE_RESUMABLE   4000 /* any code but 1000/1001 keeps the session */
#define MAX_PAYLOAD       DBOT__MAX_GW_PAYLOAD
#define SEND_LIMIT        DBOT__GW_SEND_LIMIT
#define SEND_WINDOW_MS    DBOT__GW_SEND_WINDOW_MS
#define HEARTBEAT_RESERVE 3
/* The bot's own payloads (dbot_shard_send, presence) that may wait in one
 * connection's send queue. Discord takes 120 sends a minute, so a bot that
 * queues faster than that would grow the queue forever: past one window's
 * worth of messages, or 128 KiB, the caller is told DBOT_EBUSY instead.
 * Heartbeats, Identify and Resume are not counted and never refused. */
#define TXQ_MAX_MSGS     SEND_LIMIT
#define TXQ_MAX_BYTES    (128 * 1024)
#define HELLO_TIMEOUT_MS 20000
#define SHORT_SESSION_MS 60000  /* a session that ends sooner is "short" */
#define STORM_AFTER      3      /* short sessions in a row before ... */
#define STORM_MIN_MS     5000   /* ... identifies back off from 5 s */
#define STORM_MAX_MS     900000 /* to 15 min */
#define CLOSE_TIMEOUT_MS 5000

/* What to do once the connection is down, when we chose to close it. */
enum after_close {
    AFTER_RECONNECT = 0, /* decide from the server's close code, else resume */
    AFTER_RESUME,
    AFTER_IDENTIFY, /* the session is gone: identify after 1-5 s */
    AFTER_STOP,
};

/* What a queued payload is: the bot's own (bounded), or one the session
 * needs to stay alive (never refused). */
enum tx_kind {
    TX_USER = 0,  /* dbot_shard_send, presence: counts against TXQ_MAX_* */
    TX_HEARTBEAT, /* jumps the queue and may use the send-limit reserve */
    TX_SESSION,   /* Identify, Resume */
};

struct txmsg {
    struct txmsg *next;
    size_t len;
    int heartbeat;
    int user;     /* counted in the connection's txq_user_* */
    int identify; /* counts against max_concurrency when written */
    int presence; /* an op 3 of generation presence_gen */
    unsigned presence_gen;
    unsigned char buf[]; /* LWS_PRE bytes of headroom, then the payload */
};

struct gw_conn {
    struct dbot__gateway *gw;
    struct lws *wsi;
    struct dbot__resolve_req *dns;
    struct dbot__url url;
    int resuming; /* this connection resumes (else identifies) */
    int established;
    int hello_seen;

    struct dbot__zstream *z;
    int lost_frame; /* a message failed to parse: watch for a gap */

    struct txmsg *txq_head, *txq_tail;
    int txq_user_msgs;     /* TX_USER payloads queued, <= TXQ_MAX_MSGS */
    size_t txq_user_bytes; /* and their bytes, <= TXQ_MAX_BYTES */
    struct dbot__sendlimit sl;

    int64_t hb_interval_ms;
    int awaiting_ack;
    int64_t hb_sent_at;

    int close_code; /* ours, once we decided to close (0: not yet) */
    enum after_close after;
    int server_close_code;

    lws_sorted_usec_list_t hb_sul;       /* next heartbeat */
    lws_sorted_usec_list_t tx_sul;       /* send limit: retry writing */
    lws_sorted_usec_list_t guard_sul;    /* Hello / close timeouts */
    lws_sorted_usec_list_t identify_sul; /* waiting for an identify slot */
};

struct dbot__gateway {
    dbot *bot;
    const struct dbot__gateway_hooks *hooks;
    int shard_id, shard_count;
    enum dbot__gw_state state;
    struct gw_conn *conn;

    char *gateway_url; /* from GET /gateway/bot, cached */
    int fetching;      /* that GET is in flight */
    char *session_id;
    char *resume_url;
    int64_t seq;           /* last non-null s, -1 when none */
    unsigned presence_gen; /* presence generation last written (or put in
                              an Identify): what Discord has */
    int presence_queued;   /* an op 3 of presence_queued_gen waits in the
                              current connection's queue */
    unsigned presence_queued_gen;

    int attempt;        /* reconnects since the last READY/RESUMED */
    int64_t ready_ms;   /* when the current session got READY, 0: not */
    int short_sessions; /* sessions in a row that ended soon after start */
    int resume_misses;  /* resume connections that never opened */
    int stopping;
    int64_t latency_ms;
    uint64_t rng;
    struct dbot__gw_counters n;
    lws_sorted_usec_list_t reconnect_sul;
};

/* gateway.c */
double dbot__gwi_rnd01(struct dbot__gateway *gw);
const struct dbot_config *dbot__gwi_cfg(struct dbot__gateway *gw);
/* Arm a timer that belongs to gw (or to one of its connections). */
void dbot__gwi_sched(struct dbot__gateway *gw, lws_sorted_usec_list_t *sul,
                     sul_cb_t cb, int64_t ms);
/* May a resume (it carries the token) go to `url`? 1 when it is on the
 * site of the gateway URL (config, else GET /gateway/bot; url.h), 0 when
 * not, -1 while that URL is not known yet. */
int dbot__gwi_resume_url_ok(const struct dbot__gateway *gw, const char *url);
/* Drop session id, sequence and resume URL: the next connection
 * identifies. */
void dbot__gwi_forget_session(struct dbot__gateway *gw);
/* Close c with a real close frame and `code`, then do `after`. */
void dbot__gwi_conn_close(struct gw_conn *c, int code, enum after_close after);
/* Queue a payload; heartbeats jump the queue. Returns 0, DBOT_ETOOBIG,
 * DBOT_ENOMEM, or DBOT_EBUSY when a TX_USER payload finds the queue at
 * TXQ_MAX_MSGS or TXQ_MAX_BYTES (other kinds are never refused for that). */
int dbot__gwi_conn_queue(struct gw_conn *c, const char *json, size_t len,
                         enum tx_kind kind);

/* gateway_session.c */
/* Resumes at once; identifies wait for their max_concurrency slot. */
void dbot__gwi_identify_when_allowed(struct gw_conn *c);
/* Bytes of one websocket fragment. Returns what the lws callback
 * returns (non-zero closes the connection). */
int dbot__gwi_on_receive(struct gw_conn *c, const void *in, size_t len);

#endif
