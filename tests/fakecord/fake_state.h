/*
 * fake_state.h: the fake's shared state and its bookkeeping helpers.
 *
 * DESIGN. struct fakecord is shared by the modules of the fake (thread and
 * queue in fakecord.c, websocket side in fake_gateway.c, HTTP in
 * fake_rest.c). Everything in it is guarded by `mu`, a recursive mutex: the
 * loop thread holds it for the whole of every lws callback (lws may call
 * back into the protocol from inside an lws call), and query functions on
 * other threads hold it while copying. Only the loop thread mutates sockets
 * and sessions; other threads hand it fc_cmd requests through `q_head`.
 */
#ifndef DBOT_TESTS_FAKE_STATE_H
#define DBOT_TESTS_FAKE_STATE_H

#include "fakecord.h"
#include "fake_ratelimit.h"

#include <pthread.h>
#include <stdint.h>
#include <zlib.h>
#include <zstd.h>

#include <libwebsockets.h>

#define FC_MAX_HB 512 /* heartbeat times kept for the newest connection */

/* One queued outgoing websocket write (or a close / drop marker). */
struct fc_out {
    struct fc_out *next;
    int kind;  /* FC_OUT_DATA, FC_OUT_CLOSE, FC_OUT_DROP */
    int flags; /* lws_write flags for DATA */
    int code;  /* close code for CLOSE */
    size_t len;
    unsigned char *buf; /* LWS_PRE headroom, then len bytes */
};
enum {
    FC_OUT_DATA,
    FC_OUT_CLOSE,
    FC_OUT_DROP
};

/* A gateway session (what Resume resumes). Outlives its connections. */
struct fc_session {
    struct fc_session *next; /* newest first */
    char id[33];
    int shard, num_shards;
    uint64_t intents;     /* from the Identify */
    int alive;            /* 0 once invalidated: Resume gets op 9 false */
    int revoked;          /* invalidated by the fake itself (intents
                             revoked): a Resume of it is no mistake */
    int64_t seq;          /* last seq assigned */
    struct fc_conn *conn; /* current connection, or NULL */
    char **ring;          /* sent dispatches (full JSON text), by seq */
    int64_t ring_first;   /* seq of ring[ring_start] */
    int ring_cap, ring_start, ring_n;
};

enum {
    FC_CONN_NEW,
    FC_CONN_IDENTIFIED,
    FC_CONN_RESUMED
};

/* One websocket connection. Freed on LWS_CALLBACK_CLOSED. */
struct fc_conn {
    struct fc_conn *next; /* newest first */
    struct fakecord *fc;
    struct lws *wsi;
    lws_sorted_usec_list_t hb_sul; /* heartbeat deadline (grace option) */
    int id;
    int state;
    int compressed; /* zlib-stream */
    int zinit;
    z_stream zs;
    ZSTD_CCtx *zstd; /* zstd-stream: one context for the connection */
    int on_resume_path;
    int hello_held; /* connected while fakecord_hold_hello was on */
    struct fc_session *sess;
    struct fc_out *oq_head, *oq_tail;
    int closing; /* a CLOSE/DROP is queued: ignore further input */
    int64_t hello_ms;
    int64_t win_start_ms; /* client send-rate window */
    int win_count;
    int client_close_code;
    char *rx; /* reassembly of fragmented client messages */
    size_t rx_len;
};

/* One HTTP request in flight (per transaction). */
struct fc_http {
    struct lws *wsi;
    char method[8];
    char *path;    /* path without /api/v10, no query */
    char *query;   /* "" if none */
    int req_index; /* into fc->reqs */
    unsigned char *body;
    size_t body_len, body_cap;
    size_t expect_len;
    /* the answer */
    int status;
    char *resp; /* body */
    size_t resp_len;
    char *resp_headers; /* extra "Name: value\r\n" lines */
    const char *ctype;
    int truncate;
    int drop;  /* close without answering */
    int lost;  /* a rule replaces this answer after the route ran */
    int ready; /* answer computed, waiting for writable */
    int delayed;
    lws_sorted_usec_list_t sul;
};

/* A scripted REST rule (copy of struct fakecord_rest_rule). */
struct fc_rule {
    struct fc_rule *next;
    char *method, *prefix, *body, *headers;
    int count, status, delay_ms, truncate, after_effect, drop;
};

/* One interaction pushed by the test. */
struct fc_ix {
    struct fc_ix *next;
    uint64_t id;
    int type; /* interaction type (2 command, 3 component, ...) */
    char *token;
    int64_t created_ms; /* monotonic; moved back by age_interaction */
    int64_t created_us; /* the same, in µs, for callback_ms */
    int callbacks, callback_type, callback_status;
    double callback_ms;
    int edits, followups, deletes;
    cJSON *callback_body, *last_edit, *followup_bodies;
    int64_t original_id; /* message id of @original once acknowledged */
    int answer_lost;     /* the fake dropped an answer to a callback that
                            took effect: a resend is expected, not a bug */
};

#define FC_NONCE_BUCKETS 1024

/* A channel message created with enforce_nonce, for dedupe. */
struct fc_nonce {
    struct fc_nonce *next;
    char channel[32];
    char nonce[32];
    int64_t at_ms;
    cJSON *msg; /* the message as answered */
};

struct fc_cmd;

struct fakecord {
    pthread_t thr;
    pthread_mutex_t mu; /* recursive; guards everything below */
    pthread_cond_t cv;
    struct lws_context *ctx;
    struct lws_vhost *vh;
    int started; /* 1 listening, -1 failed */
    int stopping;
    int port;
    char api_url[64], gw_url[64], resume_url[80];
    struct fakecord_opts o;
    char *token;
    int64_t t0_ms;

    struct fc_cmd *q_head, *q_tail;

    /* gateway */
    struct fc_conn *conns;
    struct fc_session *sessions;
    int next_conn_id;
    int acks_on;
    int hold_hello; /* fakecord_hold_hello */
    int split_parts, split_frag;
    int remaining;          /* session_start_limit.remaining: read it
                               through fc_session_limit */
    int64_t limit_reset_ms; /* when the session-start window ends */
    int64_t *member_req_ms; /* last full op 8 per guild index */
    int64_t ident_ms[64];   /* last Identify per rate-limit key */
    int hb_conn;            /* id of the newest conn that got a Hello */
    int64_t hb_times[FC_MAX_HB];
    int nhb;
    struct fakecord_stats st;
    char *viol;
    size_t viol_len;
    cJSON *last_identify, *last_resume, *last_presence;

    /* REST */
    struct fakecord_request *reqs;
    int nreqs, capreqs;
    struct fc_rule *rules;
    struct fc_rl rl;
    struct fc_ix *ixs;
    cJSON *commands; /* {"global":[...], "<guild id>":[...]} */
    cJSON *messages; /* array */
    /* enforce_nonce records by hash of channel and nonce, newest first in
     * each chain, pruned past the window as a chain is walked: a bot
     * sending thousands of messages (the benchmark) must not make every
     * create walk all of them. */
    struct fc_nonce *nonces[FC_NONCE_BUCKETS];
    cJSON *reactions; /* array of fakecord_reactions() records */
    cJSON *world;     /* guild models by id (fake_world.h); NULL: none */
    uint64_t id_counter;

    /* Interactions Endpoint (fake_endpoint.c) */
    struct fc_endpoint *ep;
};

/* Monotonic ms. */
int64_t fc_now_ms(void);

/* The session-start limit now (a window that ended is refilled first):
 * sets *total and *reset_after_ms, returns remaining. Server thread. */
int fc_session_limit(struct fakecord *fc, int *total, int64_t *reset_after_ms);
/* Wall-clock seconds (for X-RateLimit-Reset). */
double fc_wall_s(void);

/* Record a violation line (loop thread, mu held). */
void fc_violation(struct fakecord *fc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A fresh snowflake (unique within the fake). */
uint64_t fc_snowflake(struct fakecord *fc);

/* Sessions. */
struct fc_session *fc_session_new(struct fakecord *fc, int shard,
                                  int num_shards);
struct fc_session *fc_session_find(struct fakecord *fc, const char *id);
/* Newest alive session of `shard`, or NULL. */
struct fc_session *fc_session_newest(struct fakecord *fc, int shard);
/* Store a sent dispatch (takes a copy). */
void fc_session_store(struct fakecord *fc, struct fc_session *s,
                      const char *text);
/* Dispatch text of seq, or NULL if not buffered. */
const char *fc_session_get(const struct fc_session *s, int64_t seq);
void fc_sessions_free(struct fakecord *fc);

/* Interactions. */
struct fc_ix *fc_ix_find(struct fakecord *fc, uint64_t id);
struct fc_ix *fc_ix_find_token(struct fakecord *fc, const char *token);
void fc_ix_free_all(struct fakecord *fc);
/* Does interaction type ix_type take callback type cb (§3.3)? */
int fc_ix_callback_type_ok(int ix_type, int cb);

/* Interactions Endpoint (fake_endpoint.c). While one is set, pushed
 * interactions are POSTed there (mu held; 0 or -1); cleanup joins the
 * posting threads (mu not held). */
int fc_endpoint_active(struct fakecord *fc);
int fc_endpoint_post(struct fakecord *fc, uint64_t id, const char *json);
void fc_endpoint_cleanup(struct fakecord *fc);

/* Requests. Returns the index of the new record or -1. */
int fc_request_add(struct fakecord *fc, const struct fakecord_request *r);
void fc_requests_free_all(struct fakecord *fc);

/* Strings. */
char *fc_strdup(const char *s);
char *fc_memdup(const void *p, size_t n); /* NUL-terminated copy */

#endif
