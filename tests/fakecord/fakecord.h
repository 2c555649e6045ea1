/*
 * fakecord.h: a fake Discord (gateway + REST + interactions) for tests,
 * benchmarks and the sandbox.
 *
 * DESIGN. fakecord_start() spawns one thread that owns an lws context with a
 * single vhost on 127.0.0.1 (port 0 = ephemeral). The same port serves
 *   - HTTP REST under /api/v10/... (routes in docs/fakecord.md), and
 *   - the websocket gateway on "/" or "/gateway" (any query string; v,
 *     encoding and compress=zlib-stream|zstd-stream are honoured) and on
 *     "/resume", the path READY advertises as resume_gateway_url (so a
 *     test can see whether the bot resumed there).
 * The fake follows /work/shared/discord-protocol.md: Hello, heartbeat ACKs,
 * Identify/Resume validation with the real close codes, sequence numbers,
 * replay on Resume, zlib-stream with one deflate stream per connection,
 * zstd-stream with one zstd context per connection and one gateway message
 * per websocket message,
 * per-route rate-limit buckets with Discord's headers and 429 bodies,
 * interaction callback/followup/edit routes with the 3 s and 15 min rules.
 *
 * Everything the client does wrong is both answered as Discord would (close
 * code, 4xx) and recorded as a "violation" line, so a test can assert
 * fakecord_stats().violations == 0 at the end.
 *
 * THREADS. Every function here may be called from any thread except the
 * fake's own (never from inside the fake). Scripting calls are queued to the
 * fake's loop (mutex + lws_cancel_service) and wait until the loop has
 * applied them, so their return value is the real outcome. Queries return
 * copies taken under the fake's mutex; the caller owns them.
 *
 * ERRORS. Functions returning int give >= 0 on success and -1 on failure
 * (no such connection/session, bad argument, out of memory).
 *
 * TARGETS. Per-connection scripting acts on the newest live connection that
 * Identified or Resumed as shard 0 (or, if none did, the newest live
 * connection that has not authenticated yet). The _shard variants pick
 * another shard.
 *
 * LIFETIME. fakecord_stop() must not run concurrently with other calls on
 * the same fake.
 */
#ifndef DBOT_TESTS_FAKECORD_H
#define DBOT_TESTS_FAKECORD_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Identity of the fake application; the bot user has the same id. */
#define FAKECORD_APP_ID       "1100000000000000001"
#define FAKECORD_BOT_USERNAME "fakebot"
/* The human who owns the application (GET /applications/@me "owner"),
 * also the owner of the fake guilds. */
#define FAKECORD_OWNER_ID "1100000000000000002"
#define FAKECORD_TOKEN    "test-token"

/* Privileged intent bits (an Identify asking for a denied one gets 4014). */
#define FAKECORD_INTENT_GUILD_MEMBERS   (1ULL << 1)
#define FAKECORD_INTENT_GUILD_PRESENCES (1ULL << 8)
#define FAKECORD_INTENT_MESSAGE_CONTENT (1ULL << 15)

/* Options. A zeroed struct (or NULL) gives the defaults noted; every field
 * is chosen so that 0 means "default". */
struct fakecord_opts {
    int port;                    /* 0: ephemeral (see fakecord_port) */
    int heartbeat_interval_ms;   /* Hello's heartbeat_interval; 0: 41250 */
    int guilds;                  /* guilds of the bot, spread over shards by
                                    (id >> 22) % num_shards; one GUILD_CREATE
                                    each after READY. 0: 1, -1: none */
    int guild_members;           /* member objects per GUILD_CREATE (makes
                                    them big for benchmarks); 0: just the bot */
    const char *token;           /* expected bot token (copied); NULL:
                                    FAKECORD_TOKEN */
    uint64_t denied_intents;     /* privileged intents NOT enabled in the
                                    "portal": asking for one closes 4014 */
    int shards;                  /* "shards" in /gateway/bot; 0: 1 */
    int session_start_remaining; /* /gateway/bot remaining, decremented by
                                    each Identify; 0: 1000, -1: 0. An Identify
                                    at 0 is a violation and gets op 9 false */
    int session_start_reset_ms;  /* the session-start window: its
                                    reset_after counts down from this and
                                    when it ends remaining is refilled to
                                    total (1000, or session_start_remaining
                                    when larger) and a new window starts.
                                    0: 14400000 */
    int max_concurrency;         /* /gateway/bot max_concurrency; 0: 1 */
    int enforce_identify_rate;   /* 1: more than one Identify per 5 s per
                                    shard_id % max_concurrency is a violation
                                    and gets op 9 false (off by default, since
                                    op 9 recovery legitimately re-identifies) */
    int send_limit;              /* client sends allowed per window; 0: 120 */
    int send_window_ms;          /* that window; 0: 60000. Over -> 4008 */
    int replay_buffer;           /* dispatches kept per session for Resume;
                                    0: 4096. Resuming from before the oldest
                                    kept one gets op 9 false */
    int heartbeat_grace_ms;      /* > 0: a connection that sends no op 1 for
                                    heartbeat_interval + grace (since Hello or
                                    its last op 1) is a violation ("heartbeat
                                    timeout") and is closed with 4009, ending
                                    the session. 0: not checked (default, so
                                    slow valgrind runs do not trip it) */
    int interaction_token_len;   /* length of interaction tokens; 0: 64.
                                    Real ones reach 152133 chars (§3.1); up
                                    to 60000 works here (lws caps one header
                                    line, the request path, at 64 KiB) */
    int echo_messages;           /* 1: a message the bot creates comes back
                                    as MESSAGE_CREATE, as on Discord (needs
                                    GUILD_MESSAGES for the fake guilds'
                                    channels, DIRECT_MESSAGES otherwise).
                                    Catches bots that answer themselves */
    const char *tls_cert_file;   /* PEM; with tls_key_file: serve TLS
                                    (https://, wss://) on "localhost".
                                    Borrowed until fakecord_start returns */
    const char *tls_key_file;
    const char *resume_gateway_url; /* advertise this in READY instead of
                                       the fake's own /resume (e.g. an
                                       unreachable one); copied */
};

typedef struct fakecord fakecord;

/* Start the fake on its own thread; returns once it listens, or NULL
 * (port in use, out of memory). `o` may be NULL; it is copied. */
fakecord *fakecord_start(const struct fakecord_opts *o);

/* Stop the thread, close every socket, free everything. NULL is a no-op.
 * Pointers previously returned by fakecord_api_url() die with it. */
void fakecord_stop(fakecord *fc);

int fakecord_port(const fakecord *fc);
/* "http://127.0.0.1:PORT/api/v10", valid until fakecord_stop(). */
const char *fakecord_api_url(const fakecord *fc);
/* "ws://127.0.0.1:PORT", the url /gateway and /gateway/bot return. */
const char *fakecord_gateway_url(const fakecord *fc);

/* ---- gateway scripting ------------------------------------------------ */

/* Dispatch op 0 `t` with data `d_json` (must parse as JSON) and the
 * session's next seq. If the target session's connection is gone (closed,
 * dropped) the event is only stored, and a Resume replays it. Returns the
 * seq given, or -1 (no session, bad JSON). */
int fakecord_push_event(fakecord *fc, const char *t, const char *d_json);
int fakecord_push_event_shard(fakecord *fc, int shard, const char *t,
                              const char *d_json);

/* Like fakecord_push_event, but the wire carries only the first half of
 * the message (a frame corrupted on the way): the session stores it whole
 * under its seq, so a Resume from before it replays it intact. */
int fakecord_push_event_garbled(fakecord *fc, const char *t,
                                const char *d_json);

/* op 7 Reconnect. The session stays resumable. */
int fakecord_send_reconnect(fakecord *fc);
int fakecord_send_reconnect_shard(fakecord *fc, int shard);

/* op 9 with d = resumable. resumable == 0 also kills the session, so a
 * later Resume of it gets op 9 false again. The socket stays open. */
int fakecord_send_invalid_session(fakecord *fc, int resumable);
int fakecord_send_invalid_session_shard(fakecord *fc, int shard, int resumable);

/* The privileged intents `bits` (FAKECORD_INTENT_*) are switched off in
 * the "portal", as Discord does when it revokes them: every live session
 * holding one is invalidated and closed with 4003, its Resume gets op 9
 * false, and an Identify asking for one gets 4014 (§1.8). Returns 0. */
int fakecord_revoke_intents(fakecord *fc, uint64_t bits);

/* Server-sent op 1: "heartbeat now". */
int fakecord_send_heartbeat_request(fakecord *fc);

/* Close frame with `code` (e.g. 4000 resumable, 4004 fatal, 4009 session
 * timed out: 4007/4009 also kill the session as Discord does). */
int fakecord_close(fakecord *fc, int code);
int fakecord_close_shard(fakecord *fc, int shard, int code);

/* Abrupt TCP close, no close frame. The session stays resumable. */
int fakecord_drop(fakecord *fc);
int fakecord_drop_shard(fakecord *fc, int shard);

/* on = 0 stops answering op 1 with op 11 (zombie connection); on = 1
 * resumes. Applies to every connection, current and future. */
void fakecord_set_heartbeat_ack(fakecord *fc, int on);

/* hold != 0: connections made from now on get no Hello, so the client
 * waits in its handshake (not READY); 0: send the held Hellos. */
int fakecord_hold_hello(fakecord *fc, int hold);

/* Send `len` bytes as one gateway message exactly as given (no seq, no
 * envelope), through the connection's deflate or zstd stream. For
 * malformed JSON, unknown opcodes, hand-made dispatches. */
int fakecord_send_raw(fakecord *fc, const char *text, size_t len);

/* Send `len` bytes as one binary websocket message exactly as given,
 * around the connection's compressor: a corrupted transport stream. */
int fakecord_send_wire(fakecord *fc, const void *bytes, size_t len);

/* From now on split every message into `parts` pieces (0/1: off). With
 * as_fragments = 0 (zlib-stream only; zstd-stream and text use fragments
 * instead) each piece is its own websocket
 * message, so a client must buffer until 00 00 ff ff; with as_fragments =
 * 1 each piece is a websocket fragment (continuation frames) of one message,
 * which works for text too. */
void fakecord_set_split(fakecord *fc, int parts, int as_fragments);

/* n dispatches of event `t` (NULL: "FAKECORD_BATCH") with data `d_json`
 * (NULL: {"i":k}, k = 0..n-1), consecutive seqs. With zlib-stream all n
 * sync-flushed messages go in ONE websocket message; without compression
 * they go as n back-to-back text messages, with zstd-stream as n binary
 * ones. Returns the last seq or -1. */
int fakecord_send_batch(fakecord *fc, const char *t, const char *d_json, int n);

/* ---- recording ---------------------------------------------------------- */

struct fakecord_stats {
    int connections;            /* websocket connections accepted */
    int identifies;             /* op 2 received (valid or not) */
    int resumes;                /* op 6 received */
    int resumes_ok;             /* resumes answered with replay + RESUMED */
    int resumes_on_resume_url;  /* op 6 that arrived on /resume */
    int heartbeats;             /* op 1 received */
    int heartbeat_acks_sent;    /* op 11 sent */
    int resumed_sent;           /* RESUMED dispatches sent */
    int ready_sent;             /* READY dispatches sent */
    int invalid_sessions_sent;  /* op 9 sent */
    int client_close_code;      /* last close code the client sent; 0 if the
                                   last connection ended without one */
    int client_closes_1000;     /* client closes with 1000 or 1001 */
    int64_t last_heartbeat_seq; /* d of the last op 1; -1 for null */
    int64_t last_seq_sent;      /* highest seq sent on the last session */
    int violations;             /* lines in fakecord_violations() */
    int compressed;             /* last connection used zlib-stream */
    int zstd;                   /* last connection used zstd-stream */
    int live_connections;       /* websocket connections open now */
    int frames_unsent;          /* gateway frames queued, not yet handed to
                                   the socket (0: the client has, or the
                                   kernel holds, everything sent so far) */
    int rest_requests;          /* HTTP requests received */
    int rest_429s;              /* 429 answers given */
    int presences;              /* op 3 received */
};
void fakecord_stats(fakecord *fc, struct fakecord_stats *out);

/* Times of the op 1s received on the newest connection that got a Hello,
 * in ms since that Hello. Fills up to `max`; returns how many there are. */
int fakecord_heartbeat_times(fakecord *fc, int64_t *ms_since_hello, int max);

/* All violations so far, one per line ("" if none). Caller frees. Lines
 * start with these texts (some add detail after them):
 *   "payload before identify (4003)", "second identify (4005)",
 *   "payload > 4096 bytes (4002)", "non-JSON payload (4002)",
 *   "token with Bot prefix", "bad token (4004)", "invalid intents (4013)",
 *   "disallowed intents (4014)", "invalid shard (4010)",
 *   "identify without properties (4001)", "resume with bad seq (4007)",
 *   "resume of unknown session", "resume not on resume_gateway_url",
 *   "identify on resume_gateway_url", "heartbeat with seq never sent",
 *   "over N sends per M ms (4008)", "rest: request while bucket empty",
 *   "rest: over the global limit", "interaction callback after 3 s",
 *   "interaction acknowledged twice", "interaction token expired",
 *   "rest: User-Agent is not DiscordBot (url, version)",
 *   "rest: body without Content-Type", "heartbeat timeout (4009)",
 *   "body over Discord's limits". */
char *fakecord_violations(fakecord *fc);

/* Copies of the `d` of the last op 2 / op 6 received; NULL if none.
 * Caller cJSON_Delete()s. */
cJSON *fakecord_last_identify(fakecord *fc);
cJSON *fakecord_last_resume(fakecord *fc);
/* Copy of the `d` of the last op 3 (Presence Update); NULL if none. */
cJSON *fakecord_last_presence(fakecord *fc);

/* One HTTP request as received. All strings NUL-terminated; absent
 * headers are "". */
struct fakecord_request {
    char method[8];
    char *path;          /* path and query, e.g. "/api/v10/gateway/bot" */
    char *authorization; /* header values */
    char *user_agent;
    char *content_type;
    char *audit_reason;  /* X-Audit-Log-Reason */
    char *headers;       /* every header lws knows by name plus Discord's
                            X- headers: "name: value\n" lines, names in
                            lowercase ("authorization: Bot ...") */
    unsigned char *body; /* raw bytes (multipart intact), body[body_len]=0 */
    size_t body_len;
    int64_t t_ms; /* arrival, ms since fakecord_start (monotonic) */
    int status;   /* status the fake answered */
};
/* Copies of every request so far into *out (caller frees with
 * fakecord_requests_free). Returns the count, or -1. */
int fakecord_requests(fakecord *fc, struct fakecord_request **out);
void fakecord_requests_free(struct fakecord_request *reqs, int n);

/* ---- REST scripting ------------------------------------------------------ */

/* A rule applies to the next `count` requests that match it (count -1:
 * every one). Rules are tried in the order added; the first match wins. */
struct fakecord_rest_rule {
    const char *method;      /* "GET", ...; NULL: any */
    const char *path_prefix; /* after /api/v10, e.g. "/channels/1/messages";
                                NULL: any */
    int count;               /* matching requests affected; -1: unlimited */
    int status;              /* answer this status instead of the route's
                                own answer; 0: answer normally (e.g. only
                                delay it) */
    const char *body;        /* raw body for `status` (any bytes; need not
                                be JSON); NULL: {"code":0,"message":"..."},
                                or for 429 Discord's rate-limit body with
                                retry_after 1.0 */
    const char *headers;     /* extra headers, "Name: value\r\n" lines; a
                                429 gets Retry-After: 1 and
                                X-RateLimit-Scope: user unless given */
    int delay_ms;            /* answer this much later (the loop goes on) */
    int truncate;            /* announce Content-Length of the whole body,
                                send half of it, then drop the connection */
    int after_effect;        /* 1: the route runs first (a message is
                                created, an interaction acknowledged, an
                                edit applied), then `status` or `drop`
                                replaces its answer: Discord did the work
                                but the answer was lost (an edge 502, a
                                dropped connection). 0: they replace the
                                route, which never runs */
    int drop;                /* 1: close the connection without answering
                                (no status line; the request was read) */
};
int fakecord_rest_script(fakecord *fc, const struct fakecord_rest_rule *r);

/* Shorthand: the next `count` requests matching method + path_prefix get
 * `status` with `body_json` (NULL: default) and `extra_headers`. */
int fakecord_rest_fail(fakecord *fc, const char *method,
                       const char *path_prefix, int status, int count,
                       const char *body_json, const char *extra_headers);

/* Configure a rate-limit bucket. `route` is a template after /api/v10 in
 * which {anything} matches one path segment, e.g.
 * "/channels/{channel_id}/messages". Major parameters (the segment after
 * /channels, /guilds, /webhooks, plus the webhook or interaction token)
 * separate buckets: the state key is hash + their values. Several routes
 * may share one hash. A later call for the same method+route replaces it.
 * limit <= 0 removes the limit. Default: POST /channels/{id}/messages,
 * 5 per 5000 ms. */
int fakecord_rest_limit(fakecord *fc, const char *method, const char *route,
                        const char *bucket_hash, int limit, int window_ms);

/* Global limit: at most per_second requests per second in total (0: off,
 * the default). Interaction callbacks and /webhooks routes are exempt. */
int fakecord_rest_global_limit(fakecord *fc, int per_second);

/* ---- interactions -------------------------------------------------------- */

/* Create an interaction from `json` (an Interaction object without id and
 * token; application_id, version and type default to the fake's app, 1 and
 * 2), give it a fresh id and token and dispatch INTERACTION_CREATE on shard
 * 0 (or the shard of its guild_id). Its 3 s callback deadline starts now.
 * Returns the id, or 0 (bad JSON, or no session to carry it). */
uint64_t fakecord_push_interaction(fakecord *fc, const char *json);

/* Make interaction `id` older by `ms` (to hit the 3 s or 15 min limits
 * without waiting). Returns 0 or -1 (unknown id). */
int fakecord_age_interaction(fakecord *fc, uint64_t id, int64_t ms);

/* What the bot did with one interaction. Bodies are the parsed JSON (for
 * multipart: payload_json); raw multipart bodies are in fakecord_requests. */
struct fakecord_ix_log {
    char *token;            /* the interaction token (caller frees) */
    int callbacks;          /* callback POSTs received (2nd one -> 40060) */
    int callback_type;      /* type of the first callback; -1 if none */
    int callback_status;    /* HTTP status the fake gave the first one */
    double callback_ms;     /* push -> first callback arrival, in ms */
    int edits;              /* PATCH .../messages/@original */
    int followups;          /* POST /webhooks/{app}/{token} */
    int deletes;            /* DELETE .../messages/... */
    cJSON *callback_body;   /* body of the first callback, or NULL */
    cJSON *last_edit;       /* body of the last PATCH @original, or NULL */
    cJSON *followup_bodies; /* array of followup bodies (never NULL) */
};
/* Returns 0 (fill *out; free with fakecord_ix_log_free) or -1 (unknown). */
int fakecord_interaction_log(fakecord *fc, uint64_t id,
                             struct fakecord_ix_log *out);
void fakecord_ix_log_free(struct fakecord_ix_log *l);

/* The acknowledgement facts of every interaction pushed so far, oldest
 * first, in one call (fakecord_interaction_log looks one up at a time, by
 * walking a list: too slow for the tens of thousands a benchmark pushes).
 * *out is the caller's to free(). Returns the count, or -1. */
struct fakecord_ack {
    uint64_t id;
    int callbacks; /* as in fakecord_ix_log */
    int callback_type;
    double callback_ms;
    int edits;
};
int fakecord_interaction_acks(fakecord *fc, struct fakecord_ack **out);

/* ---- Interactions Endpoint ---------------------------------------------- */

/* Discord can deliver interactions as signed HTTP POSTs to the bot's
 * "Interactions Endpoint URL" instead of INTERACTION_CREATE (§3.5). */

/* The fake application's Ed25519 public key as the portal shows it (64
 * hex digits), made on first use; valid until fakecord_stop(). NULL when
 * out of memory. */
const char *fakecord_public_key(fakecord *fc);

/* From now on deliver interactions to `url` ("http://127.0.0.1:PORT/path"
 * or "http://[::1]:PORT/path"; copied) instead of the gateway, as Discord
 * does once the portal has the URL: each fakecord_push_interaction is
 * POSTed, signed with the fake's key, from a thread of its own (no
 * gateway session is needed). The HTTP answer is the callback: recorded in
 * fakecord_interaction_log as one (its status in callback_status, the JSON
 * body in callback_body), under the same rules (3 s, the types each
 * interaction takes); a 202 leaves it to POST .../callback. A non-2xx
 * answer or none within 3 s is a violation ("endpoint answered ..."), as
 * Discord shows the user "This interaction failed". NULL: back to the
 * gateway. Returns 0 or -1. */
int fakecord_set_interactions_endpoint(fakecord *fc, const char *url);

/* One signed POST to an endpoint, as Discord sends it, with ways to get it
 * wrong for tests. Blocking (bounded by timeout_ms); any thread but the
 * fake's own. */
struct fakecord_post {
    const char *url;     /* as for fakecord_set_interactions_endpoint */
    const char *body;    /* sent as is */
    size_t body_len;     /* 0: strlen(body) */
    long long timestamp; /* X-Signature-Timestamp; 0: now */
    int timeout_ms;      /* 0: 5000 */
    int tamper_body;     /* sign the body, then change its last byte */
    int tamper_ts;       /* sign, then send timestamp + 1 */
    int wrong_key;       /* sign with another key than the fake's */
    int no_signature;    /* omit X-Signature-Ed25519 */
    int no_timestamp;    /* omit X-Signature-Timestamp */
    const char *method;  /* NULL: "POST" */
    const char *path;    /* NULL: the url's */
    long long announce;  /* > 0: Content-Length to announce instead */
};
struct fakecord_answer {
    int status; /* 0: no answer (connection failed, closed, timed out) */
    char *body; /* NUL-terminated; caller frees */
    double ms;  /* from the request's last byte to the answer's end */
};
/* Returns 0 (an answer was read into *out) or -1 (*out->status 0). */
int fakecord_post_signed(fakecord *fc, const struct fakecord_post *p,
                         struct fakecord_answer *out);

/* Copy of the commands stored by PUT /applications/{app}/commands
 * (guild_id NULL) or .../guilds/{guild_id}/commands: an array, [] if none
 * were ever PUT. Caller cJSON_Delete()s. */
cJSON *fakecord_commands(fakecord *fc, const char *guild_id);

/* Copy of every message created through POST /channels/{id}/messages,
 * in order: an array of message objects. As on Discord, a create with a
 * "nonce" (string or integer, up to 25 characters) and "enforce_nonce":
 * true whose nonce the same channel saw within the last 3 minutes creates
 * nothing and answers the message created then. */
cJSON *fakecord_messages(fakecord *fc);

/* A message object with every field Discord always sends, as the fake
 * returns it, built from a create/edit body (NULL: empty) and written by
 * the bot (`webhook` 1: as an interaction response or followup, with
 * webhook_id and application_id). For tools that hand messages back to a
 * bot (dbot-sandbox: a click's message, a message command's target).
 * Caller cJSON_Delete()s. */
cJSON *fakecord_message_object(const char *id, const char *channel_id,
                               const cJSON *body, int webhook);

/* Copy of every reaction added or removed, in order: an array of
 * {"method","channel_id","message_id","emoji","user"}, where emoji is the
 * route segment decoded once, as Discord reads it ("👍", "blob:123") and
 * user is "@me" or an id. Refused ones (400 10014) are not listed. */
cJSON *fakecord_reactions(fakecord *fc);

/* ---- guilds: members, roles, moderation ------------------------------- */

/* Each fake guild is modelled for the guild, member, role, ban, channel,
 * thread, pin, bulk-delete and webhook routes (docs/fakecord.md, "Guild
 * model"; fake_world.h has the roles and members; fakecord_model_guild
 * adds another). Its text channel and
 * the threads made in it answer only for messages the fake knows (created
 * there by the bot, or seeded): others get 404 10008. Every guild id the
 * fake does not have gets 404 10004. Permissions are Discord's: the bot
 * needs the route's permission (403 50013) and, on a member or role, a
 * higher top role (role "admin" is above the bot; the owner is not a
 * member). An X-Audit-Log-Reason over 512 characters (decoded), a bulk
 * delete of fewer than 2 or more than 100 ids, a repeated id, or a message
 * older than 14 days are refused as Discord does and recorded as
 * violations. */

/* Model one more guild `guild_id` with text channel `channel_id` (the
 * sandbox's), built like the fake guilds. Returns 0, or -1 (modelled
 * already, bad argument, out of memory). */
int fakecord_model_guild(fakecord *fc, const char *guild_id,
                         const char *channel_id);

/* The bot role's permissions in guild `guild_id` (default: kick, ban,
 * manage channels/messages/roles/webhooks/threads, public threads,
 * moderate members, pin). Returns 0, or -1 (no such guild). */
int fakecord_guild_set_bot_permissions(fakecord *fc, const char *guild_id,
                                       uint64_t perms);

/* Add message `id` by `author_id` to a modelled channel, as if a user had
 * written it (its snowflake gives its age). Returns 0 or -1 (channel not
 * modelled). */
int fakecord_seed_message(fakecord *fc, const char *channel_id, uint64_t id,
                          const char *author_id);

/* Copy of guild `guild_id`'s model: {"guild":{id,owner_id,roles},
 * "members":[...], "bans":{uid:{}}, "channels":{id:channel},
 * "deleted":{mid:true}, "pins":{mid:true}, "webhooks":{id:webhook},
 * "seeded":[...]}; NULL if no such guild. Caller cJSON_Delete()s. */
cJSON *fakecord_guild_state(fakecord *fc, const char *guild_id);

#ifdef __cplusplus
}
#endif

#endif
