/*
 * ratelimit.h: Discord's REST rate limits as a pure state machine.
 *
 * No clocks, no sockets, no threads: every call takes the time as now_ms
 * (any monotonic millisecond clock) and the caller (the REST thread) owns
 * the limiter. The algorithm is described at the top of ratelimit.c.
 *
 * Requests are represented by a struct dbot__rl_req that the caller embeds
 * in its own request object; the limiter links it into queues and hands it
 * back from dbot__rl_take() when it may be sent.
 */
#ifndef DBOT_SRC_RATELIMIT_H
#define DBOT_SRC_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

/* Route classes, from the path alone.
 *   EXEMPT       not counted against the global limit
 *   INTERACTION  an interaction callback: its own lane, served before any
 *                other lane
 *   TOKEN        keyed by a webhook/interaction token: evicted 15 min after
 *                first use */
#define DBOT__RL_EXEMPT      0x1u
#define DBOT__RL_INTERACTION 0x2u
#define DBOT__RL_TOKEN       0x4u

/* How long idle state lives, and how long token-keyed state lives. */
#define DBOT__RL_IDLE_TTL_MS  (15 * 60 * 1000)
#define DBOT__RL_TOKEN_TTL_MS (15 * 60 * 1000)
/* Token-keyed state idle this long, with no window open, goes early. */
#define DBOT__RL_TOKEN_IDLE_TTL_MS (60 * 1000)

/* The global limit's window: a non-exempt request counts from its send
 * until this long after its response arrived. */
#define DBOT__RL_GLOBAL_WINDOW_MS 1000

/* The longest wait any one response can impose: Retry-After,
 * X-RateLimit-Reset-After and the body's retry_after are clamped to it.
 * Discord's real waits are seconds (hours for some daily limits, which one
 * 429 an hour re-learns); a bogus or hostile value (1e300, "inf", 95
 * years) would otherwise overflow the conversion to milliseconds or park a
 * route for good. A request whose wait ends past its own deadline does
 * not wait at all: the REST client fails it (rest.c). */
#define DBOT__RL_MAX_WAIT_MS (60 * 60 * 1000)

/* The invalid-request window Discord bans on (10,000 per 10 minutes). */
#define DBOT__RL_INVALID_WINDOW_MS (10 * 60 * 1000)

struct dbot__rl;
struct dbot__rl_lane;

/* One request as the limiter sees it. Embedded in the caller's request;
 * the caller zeroes it before dbot__rl_submit(), may set `deadline`, and
 * must not touch the other fields. Valid until dbot__rl_complete()
 * returned "done" or the request was taken back by dbot__rl_drain() or
 * dbot__rl_expire(). */
struct dbot__rl_req {
    struct dbot__rl_req *next;  /* link in its lane's FIFO */
    struct dbot__rl_lane *lane; /* set by dbot__rl_submit */
    int64_t not_before;         /* retry backoff: not sent before this */
    int64_t deadline;           /* caller's: not sent at or after this, nor
                                   kept waiting for a rate limit that ends
                                   after it (dbot__rl_expire); 0: none */
};

/* What a response said, as far as the limiter cares. Strings are borrowed
 * for the call. Absent headers are NULL / negative. */
struct dbot__rl_resp {
    int status;         /* HTTP status; 0 for a transport error */
    const char *bucket; /* X-RateLimit-Bucket or NULL */
    int limit;          /* X-RateLimit-Limit or -1 */
    int remaining;      /* X-RateLimit-Remaining or -1 */
    double reset_after; /* X-RateLimit-Reset-After (s) or < 0 */
    const char *scope;  /* X-RateLimit-Scope on 429: user, global, shared */
    int global;         /* X-RateLimit-Global: true, or "global": true */
    double retry_after; /* 429 body retry_after (s), else Retry-After, or
                           < 0 when neither was present */
};

/* Name: dbot__rl_wait_ms
 * Desc: a wait in seconds, as a header or body gave it (any double:
 *       negative, NaN, infinite or huge), as whole milliseconds rounded up
 *       and clamped to [0, DBOT__RL_MAX_WAIT_MS]. Never converts an
 *       out-of-range double to an integer.
 * Returns: the milliseconds, or -1 when `s` is negative or NaN (absent). */
int64_t dbot__rl_wait_ms(double s);

/* Name: dbot__rl_parse_seconds
 * Desc: a header's seconds ("1", "0.25", "1470173023.123") without the
 *       locale: digits with an optional fraction, nothing else (no sign,
 *       exponent, "inf" or "nan"). Very long values saturate instead of
 *       reaching infinity.
 * Returns: the value, or -1 when `s` (n bytes) is not such a number. */
double dbot__rl_parse_seconds(const char *s, size_t n);

/* Name: dbot__rl_new
 * Desc: a limiter allowing `global_per_sec` (<= 0: 50) non-exempt requests
 *       per second, counted as ratelimit.c describes. `seed` seeds the
 *       jitter generator.
 * Returns: the limiter, or NULL when out of memory. */
struct dbot__rl *dbot__rl_new(int global_per_sec, uint64_t seed);
void dbot__rl_free(struct dbot__rl *rl);

/* Limits shared with the bot's other processes (coord.h). Every hook
 * runs on the limiter's thread and must not block; each may be NULL.
 * Gates return 1 (slot taken), 0 (not now: *wake_ms gets when to ask
 * again; the owner may also wake the thread sooner), or -N (nothing shared
 * now: for the global limit, this process keeps to its local limit
 * divided by N; for a bucket, the local state alone decides). */
struct dbot__rl_shared {
    void *ud;
    /* One slot of the global limit, after the local one passed. */
    int (*global)(void *ud, int64_t now_ms, int64_t *wake_ms);
    /* A non-exempt request was answered: its slot counts one window from
     * now, as the local limit counts it. */
    void (*global_done)(void *ud);
    /* One slot of bucket (hash, top), after the local state passed;
     * `limit` is the bucket's as last seen (0: unknown). */
    int (*bucket)(void *ud, const char *hash, const char *top, int limit,
                  int64_t now_ms, int64_t *wake_ms);
    /* A response described bucket (hash, top). */
    void (*bucket_seen)(void *ud, const char *hash, const char *top, int limit,
                        int remaining, int64_t reset_after_ms);
    /* A response counts as invalid (401, 403, 429 but scope shared). */
    void (*invalid)(void *ud);
};

/* Name: dbot__rl_set_shared
 * Desc: install the shared hooks (copied; NULL removes them). */
void dbot__rl_set_shared(struct dbot__rl *rl, const struct dbot__rl_shared *sh);

/* Name: dbot__rl_classify
 * Desc: the DBOT__RL_* class of a path ("/interactions/1/tok/callback"). */
unsigned dbot__rl_classify(const char *path);

#define DBOT__RL_KEY_MAX 256 /* route key buffer (tokens never in it) */
#define DBOT__RL_TOP_MAX 96  /* top id buffer */

/* Name: dbot__rl_route_key
 * Desc: write the route key ("POST /channels/{id}/messages") and the top
 *       id ("channels:1") of a request to key/top. Tokens never appear in
 *       either: a token is replaced by "{token}" in the key and by a hash in
 *       the top id, so both are safe to log.
 * Returns: 0, DBOT_EINVAL for a malformed path or method, DBOT_ETOOBIG if a
 *       buffer is too small. */
int dbot__rl_route_key(const char *method, const char *path, char *key,
                       size_t keylen, char *top, size_t toplen);
/* The same, also giving the DBOT__RL_* class. */
int dbot__rl_route_key_flags(const char *method, const char *path, char *key,
                             size_t keylen, char *top, size_t toplen,
                             unsigned *flags);

/* Name: dbot__rl_submit
 * Desc: queue `q` at the tail of the lane for (method, path).
 * Returns: 0, DBOT_EINVAL (bad method/path) or DBOT_ENOMEM. */
int dbot__rl_submit(struct dbot__rl *rl, struct dbot__rl_req *q,
                    const char *method, const char *path, int64_t now_ms);

/* The same, with the route key, top id and flags the caller already has
 * from dbot__rl_route_key_flags (the REST client computes them once per
 * request). Returns 0, DBOT_EINVAL (too long) or DBOT_ENOMEM. */
int dbot__rl_submit_keyed(struct dbot__rl *rl, struct dbot__rl_req *q,
                          const char *route, const char *top, unsigned flags,
                          int64_t now);

/* Name: dbot__rl_take
 * Desc: remove up to `max` requests that may be sent now and count them as
 *       sent (remaining decremented, global slot used). A request at or
 *       past its deadline is never taken: dbot__rl_expire hands it back.
 * Interaction lanes come first; then lanes in the order they became ready.
 *       *wake_ms gets the earliest time something blocked may become
 *       sendable, or INT64_MAX if only a response can unblock it.
 * Returns: the number of requests stored in out[]. */
size_t dbot__rl_take(struct dbot__rl *rl, int64_t now_ms,
                     struct dbot__rl_req **out, size_t max, int64_t *wake_ms);

/* Name: dbot__rl_take_capped
 * Desc: dbot__rl_take taking at most max_ix interaction callbacks and
 *       max_other other requests (the caller's free transfer slots). Lanes
 *       left out by a cap do not lower *wake_ms: the caller calls again when
 *       a transfer finishes. */
size_t dbot__rl_take_capped(struct dbot__rl *rl, int64_t now_ms,
                            struct dbot__rl_req **out, size_t max,
                            size_t max_ix, size_t max_other, int64_t *wake_ms);

/* Name: dbot__rl_complete
 * Desc: account for the response to a request returned by dbot__rl_take
 *       (call it exactly once per take; a transport error is status 0 with
 *       no headers): learn the bucket, update its state, handle a 429
 *       (bucket or global pause), count invalid requests.
 * Returns: -1 for anything but a 429: the lane is released and the limiter
 *       forgets the request, unless the caller retries it (5xx, transport
 *       error) with dbot__rl_requeue right away. For a 429, the delay in ms
 *       (retry_after plus jitter) after which the caller should retry; the
 *       lane stays blocked until the caller calls dbot__rl_requeue or
 *       dbot__rl_finish. */
int64_t dbot__rl_complete(struct dbot__rl *rl, struct dbot__rl_req *q,
                          const struct dbot__rl_resp *resp, int64_t now_ms);

/* Name: dbot__rl_requeue
 * Desc: put a request back at the head of its lane, to be sent no earlier
 *       than `not_before` (429 retry, 5xx backoff), right after
 *       dbot__rl_complete. */
void dbot__rl_requeue(struct dbot__rl *rl, struct dbot__rl_req *q,
                      int64_t not_before);

/* Name: dbot__rl_finish
 * Desc: give up on a request after dbot__rl_complete returned a 429 delay
 *       (retry bound reached): the limiter forgets it. */
void dbot__rl_finish(struct dbot__rl *rl, struct dbot__rl_req *q,
                     int64_t now_ms);

/* Name: dbot__rl_expire
 * Desc: remove up to `max` queued requests that can no longer be sent in
 *       time: their deadline has passed, or their lane is held (bucket
 *       reset, 429 retry time, global pause) until after it. Requests
 *       blocked only until a response arrives are left alone; they are
 *       looked at again when it has. The caller fails each one.
 * Returns: the number stored in out[]. */
size_t dbot__rl_expire(struct dbot__rl *rl, int64_t now_ms,
                       struct dbot__rl_req **out, size_t max);

/* Name: dbot__rl_drain
 * Desc: remove and return one queued (not taken) request, or NULL when none
 *       is left. For shutdown. */
struct dbot__rl_req *dbot__rl_drain(struct dbot__rl *rl);

/* Name: dbot__rl_sweep
 * Desc: evict idle state: lanes and buckets unused for DBOT__RL_IDLE_TTL_MS,
 *       token-keyed ones DBOT__RL_TOKEN_TTL_MS after their creation once
 *       idle, and route mappings unused for DBOT__RL_IDLE_TTL_MS. Cheap
 *       enough to call once a second. */
void dbot__rl_sweep(struct dbot__rl *rl, int64_t now_ms);

/* Invalid requests (401, 403, 429 except scope shared) in the last 10
 * minutes. */
int dbot__rl_invalid_count(const struct dbot__rl *rl, int64_t now_ms);

/* Introspection for tests and the debug log. */
struct dbot__rl_stats {
    size_t lanes;         /* lanes alive */
    size_t buckets;       /* hash+top bucket states alive */
    size_t routes;        /* learned route -> hash mappings */
    size_t queued;        /* requests waiting in lanes */
    size_t inflight;      /* requests taken and not completed */
    int64_t global_until; /* global 429 pause end, 0 if none */
};
void dbot__rl_stats(const struct dbot__rl *rl, struct dbot__rl_stats *st);

/* The learned bucket hash of a route key, or NULL. Borrowed until the next
 * call into the limiter. */
const char *dbot__rl_route_hash(const struct dbot__rl *rl,
                                const char *route_key);

/* Remaining count of the bucket (hash, top), or -1 if unknown. */
int dbot__rl_bucket_remaining(const struct dbot__rl *rl, const char *hash,
                              const char *top);

#endif
