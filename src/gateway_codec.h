/*
 * gateway_codec.h: gateway payloads <-> structs, and the pure policy pieces
 * of the gateway client (send-rate limiter, backoff, close-code table).
 * Pure: no sockets, clocks come in as arguments. Fuzzed.
 */
#ifndef DBOT_SRC_GATEWAY_CODEC_H
#define DBOT_SRC_GATEWAY_CODEC_H

#include "json_arena.h"

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

enum dbot__gw_op {
    DBOT__OP_DISPATCH = 0,
    DBOT__OP_HEARTBEAT = 1,
    DBOT__OP_IDENTIFY = 2,
    DBOT__OP_PRESENCE = 3,
    DBOT__OP_RESUME = 6,
    DBOT__OP_RECONNECT = 7,
    DBOT__OP_INVALID_SESSION = 9,
    DBOT__OP_HELLO = 10,
    DBOT__OP_HEARTBEAT_ACK = 11,
};

struct dbot__jarena;

/* One received payload. `root` owns everything; `d` and `t` point into it. */
struct dbot__gw_msg {
    cJSON *root;
    int op;
    int64_t s;     /* -1 when null/absent (only op 0 carries one) */
    const char *t; /* NULL unless op 0 */
    cJSON *d;      /* may be NULL or a JSON null */
    struct dbot__jarena *arena;    /* where root lives; NULL: the heap */
    struct dbot__jarena_mark mark; /* the arena before root: releasing
                                      the message rewinds to it */
};

/* Parse one gateway message. Rejects (DBOT_EJSON) text that is not JSON,
 * not an object, or has no integer "op"; `err` says why in a short phrase.
 * On success the caller frees msg->root with cJSON_Delete. */
int dbot__gw_parse(const char *text, size_t len, struct dbot__gw_msg *msg,
                   char *err, size_t errlen);

/* The same, with the tree in `arena` (json_arena.h; NULL: the heap): the
 * caller frees it with dbot__gw_msg_release() before parsing the next
 * message into the same arena, and nobody may modify it meanwhile. Also
 * DBOT_ETOOBIG when the tree would not fit the arena's bound. */
int dbot__gw_parse_in(struct dbot__jarena *arena, const char *text, size_t len,
                      struct dbot__gw_msg *msg, char *err, size_t errlen);
/* Free what a successful dbot__gw_parse_in() returned; clears msg. */
void dbot__gw_msg_release(struct dbot__gw_msg *msg);

/* Builders: return a malloc'd NUL-terminated JSON text, NULL on ENOMEM.
 * Each payload stays under Discord's 4096-byte limit for sane inputs;
 * callers check the length. */
char *dbot__gw_heartbeat(int64_t seq); /* seq < 0 -> "d":null */
struct dbot__identify {
    const char *token; /* bare token */
    uint64_t intents;
    int shard_id, shard_count; /* shard sent only when shard_count > 0 */
    int large_threshold;       /* 0 -> omitted */
    const char *presence_json; /* optional raw presence object */
    int *presence_left_out;    /* optional: set to 1 when presence_json was
                                  given but is not in the Identify, else 0 */
};
/* A presence_json that is not a JSON object, or that cannot be parsed for
 * lack of memory (cJSON cannot tell the two apart), is left out (with a
 * warning, and *presence_left_out set): the Identify itself must still go
 * out, and the caller sends the presence after READY instead. */
char *dbot__gw_identify(const struct dbot__identify *id);
/* Also NULL when token or session_id is NULL or seq < 0: there is nothing
 * to resume then; Identify instead. */
char *dbot__gw_resume(const char *token, const char *session_id, int64_t seq);
/* {"op":op,"d":<copy of d>} for a command the bot sends itself (op 3, 4,
 * 8...). NULL on ENOMEM. */
char *dbot__gw_command(int op, const cJSON *d);

/* Close-code policy (docs' table). */
enum dbot__close_action {
    DBOT__CLOSE_RESUME,   /* reconnect and resume */
    DBOT__CLOSE_IDENTIFY, /* reconnect with a new session (4007, 4009) */
    DBOT__CLOSE_FATAL,    /* stop: 4004, 4010-4014 */
};
enum dbot__close_action dbot__gw_close_action(int code);
/* For fatal codes, what to fix, e.g. "4004 authentication failed: the bot
 * token is wrong; reset it in the Developer Portal". NULL otherwise. */
const char *dbot__gw_close_advice(int code);
/* Short name of a close code for logs ("session timed out"); never NULL. */
const char *dbot__gw_close_name(int code);
/* DBOT_EAUTH for 4004, DBOT_EINTENTS for 4013/4014, DBOT_EFATAL else. */
int dbot__gw_close_errno(int code);

/* Reconnect backoff: attempt 0,1,2... -> delay in ms, exponential from
 * min_ms doubling to max_ms, with "full jitter" from rnd in [0,1):
 * delay = cap/2 + rnd*cap/2 where cap = min(max_ms, min_ms << attempt). */
int64_t dbot__backoff_ms(int attempt, int64_t min_ms, int64_t max_ms,
                         double rnd);

/* Gateway send-rate limiter: at most `limit` sends per `window_ms`, with
 * `reserve` slots kept for heartbeats (Discord: 120 per 60 s, heartbeats not
 * exempt). Sliding window of send times. */
struct dbot__sendlimit {
    int limit, reserve;
    int64_t window_ms;
    int64_t times[128]; /* ring of the last `limit` send times */
    int head, count;
};
void dbot__sendlimit_init(struct dbot__sendlimit *sl, int limit, int reserve,
                          int64_t window_ms);
/* ms until a send of this kind is allowed at `now` (0: allowed now). */
int64_t dbot__sendlimit_wait(const struct dbot__sendlimit *sl, int64_t now,
                             int is_heartbeat);
void dbot__sendlimit_record(struct dbot__sendlimit *sl, int64_t now);

#endif
