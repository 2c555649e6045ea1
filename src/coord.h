/*
 * coord.h: one bot run by several processes, coordinated through Redis
 * (README "Running a large bot").
 *
 * What is shared, under keys "dbot:<application id>:...":
 *   shard:<id>         a lease per shard: which process runs it. Held with
 *                      an expiry and renewed; a second process configured
 *                      for the same shard is refused it.
 *   identify:<bucket>  the identify slot of bucket shard_id %
 *                      max_concurrency: taken before an Identify, held 5 s
 *                      after it left, and expiring on its own when the
 *                      holder dies mid-identify.
 *   max_concurrency    Discord's value, so every process buckets alike.
 *   identifies         identifies spent in the last 24 h, all processes.
 *   session_budget     Discord's session-start budget, the bot's one copy:
 *                      a hash {rem, total, reset (Redis time, ms), guess}.
 *                      Every Identify spends one from it (identify:<bucket>
 *                      and the spend are one script); see "The session
 *                      budget" below.
 *   rest:global        the REST global limit: one sliding window.
 *   bucket:<hash>:<top> a route bucket's window (remaining, expiry at its
 *                      reset), so processes posting to one channel share
 *                      one bucket.
 *   invalid:<10 s slot> invalid responses (401, 403, 429), all processes:
 *                      above 5,000 in 10 minutes everyone slows down.
 *
 * The session budget. Each shard reads session_start_limit from GET
 * /gateway/bot before it identifies; the process publishes what it read
 * (dbot__coord_session_budget). THE RULE: within one window the shared
 * budget only goes down. An observation lowers `rem` to what Discord said
 * when that is lower (someone outside spent), never raises it: an answer
 * read before other processes' identifies reached Discord is stale, and
 * the spends already taken from Redis are the truth. `rem` goes back up
 * only when Redis's clock passes `reset` (the window is over: it becomes
 * `total`, and the next observation sets the new reset), or when Redis
 * lost the key (then the next observation, or a process republishing the
 * last budget it saw after a reconnect, sets it again). The key outlives
 * the reset by a day, so shards waiting for the reset do not see "no
 * budget known" and rush. Without the key (nobody published yet) an
 * identify spends nothing: the shard checked Discord's own remaining
 * just before.
 * Threads. Every Redis command runs on the coordination thread this module
 * starts (coord_thread.c), with short timeouts; the loop and the REST
 * thread only read and write a small state under a mutex and never wait
 * for Redis. When Redis is unreachable the answers say "local": the caller
 * applies its own conservative limits until the thread reconnects.
 * The one blocking call is dbot__coord_claim, made by dbot_run before the
 * loop starts.
 */
#ifndef DBOT_SRC_COORD_H
#define DBOT_SRC_COORD_H

#include <stdint.h>

#include "ratelimit.h"

struct dbot__coord;

/* The answer meaning "no coordination now: apply your local limit". */
#define DBOT__COORD_LOCAL (-1)
/* The answer meaning "this shard is leased by another process: never
 * start it" (shards added by dbot__coord_add_shards). */
#define DBOT__COORD_REFUSED (-2)

struct dbot__coord_opts {
    const char *redis_url; /* redis_url.h; borrowed for the call */
    uint64_t app_id;       /* the namespace: the bot's application id */
    int global_per_sec;    /* Discord's REST global limit (50) */
};

/* Name: dbot__coord_new
 * Desc: parse the URL and prepare; no I/O, no thread yet.
 * Returns: 0, DBOT_EINVAL (bad URL, app_id 0), DBOT_ENOMEM. */
int dbot__coord_new(struct dbot__coord **out, const struct dbot__coord_opts *o);

/* Name: dbot__coord_claim
 * Desc: before the loop starts (blocks up to ~20 s): lease shards ids[0..n)
 *       for this process. A shard leased by another process that keeps
 *       renewing its lease is refused: its id goes to refused[] (room for
 *       n). A lease left by a dead process is waited out (it expires in
 *       15 s). Then starts the coordination thread, which renews the
 *       leases and serves the calls below. When Redis cannot be reached,
 *       every shard is granted (logged loudly) and the thread keeps trying.
 *       n may be 0 (ids and refused NULL): a bot without a gateway still
 *       shares the REST limits.
 * Returns: the number of refused shards (>= 0; refused[] sorted), or
 *       DBOT_ENOMEM / DBOT_EAGAIN (the thread could not start). */
int dbot__coord_claim(struct dbot__coord *c, const int *ids, int n,
                      int *refused);

/* Name: dbot__coord_add_shards
 * Desc: any thread, never blocks: shards first..first+count-1 joined
 *       after the claim (auto sharding grew the set). The thread leases
 *       them as the claim does; until it has, identify_wait answers
 *       "wait". A shard another live process holds is refused (logged as
 *       the claim logs it) and identify_wait answers DBOT__COORD_REFUSED
 *       for it. With Redis unreachable they are granted, as the claim
 *       grants. Ids this process already has are skipped.
 * Returns: 0 or DBOT_ENOMEM. */
int dbot__coord_add_shards(struct dbot__coord *c, int first, int count);

/* Name: dbot__coord_refused
 * Desc: any thread: 1 when shard `shard_id` was refused (another process
 *       holds its lease), else 0. */
int dbot__coord_refused(struct dbot__coord *c, int shard_id);

/* Name: dbot__coord_identify_wait
 * Desc: any thread (the loop or the gateway's I/O thread; a mutex, no
 *       Redis), never blocks. May shard `shard_id` identify now? Asks the
 *       thread for its bucket's slot when it has none; the same script
 *       spends one identify of the shared session budget. When the budget
 *       is spent the answer is a wait (at most 5 s, asked again) until it
 *       resets, logged once per exhaustion.
 * Returns: 0 (the slot is this process's and one identify was spent:
 *       identify now), the ms to wait before asking again,
 *       DBOT__COORD_LOCAL (Redis is unreachable: pace identifies locally,
 *       each shard checks Discord's remaining alone), or
 *       DBOT__COORD_REFUSED (dbot__coord_add_shards). */
int64_t dbot__coord_identify_wait(struct dbot__coord *c, int shard_id);

/* Name: dbot__coord_identify_sent
 * Desc: any thread, never blocks. The Identify of `shard_id` left now: its
 *       bucket stays taken for 5 s from here. */
void dbot__coord_identify_sent(struct dbot__coord *c, int shard_id);

/* Name: dbot__coord_session_budget
 * Desc: any thread, never blocks: GET /gateway/bot said
 *       session_start_limit {remaining, total, reset_after (ms)}, as
 *       received. The thread publishes it under the rule above. Without
 *       remaining or reset_after (negative, NaN: absent or malformed)
 *       nothing is published; fractions are cut, values above
 *       10^9 (remaining, total) or 7 days (reset_after) are
 *       capped there. */
void dbot__coord_session_budget(struct dbot__coord *c, double remaining,
                                double total, double reset_after_ms);

/* Name: dbot__coord_set_concurrency
 * Desc: loop thread. Discord's max_concurrency, published for all
 *       processes. */
void dbot__coord_set_concurrency(struct dbot__coord *c, int max_concurrency);

/* Name: dbot__coord_global_take
 * Desc: any thread (the REST thread), never blocks: take one slot of the
 *       shared REST global limit. The thread keeps a few slots fetched
 *       ahead from Redis.
 *       The signature is ratelimit.h's dbot__rl_gate_fn.
 * Returns: 1 (taken), 0 (none now: *wake_ms gets when to ask again), or
 *       -N when Redis is unreachable: apply the local share, the limit
 *       divided by N, the number of processes last seen. */
int dbot__coord_global_take(void *coord, int64_t now_ms, int64_t *wake_ms);

/* Name: dbot__coord_rl_hooks
 * Desc: the REST limiter's shared hooks (ratelimit.h) backed by this
 *       coordinator: the global window, route buckets, invalid counts.
 *       They never block; without Redis they answer "local". */
void dbot__coord_rl_hooks(struct dbot__coord *c, struct dbot__rl_shared *out);

/* Name: dbot__coord_set_waker
 * Desc: loop thread: `fn(ud)` is called (from the coordination thread,
 *       under the module's lock, so it must only wake: curl_multi_wakeup)
 *       when global slots were fetched after a take found none. NULL
 *       removes it; once this returns, fn is not running and will not
 *       run. */
void dbot__coord_set_waker(struct dbot__coord *c, void (*fn)(void *ud),
                           void *ud);

/* Name: dbot__coord_processes
 * Desc: any thread: how many processes of this bot hold leases (last seen
 *       by the thread), at least 1. Divides the local limits when Redis
 *       goes away. */
int dbot__coord_processes(const struct dbot__coord *c);

struct dbot__coord_stats {
    int up;               /* 1: Redis answers now */
    uint64_t outages;     /* times it stopped answering */
    uint64_t round_trips; /* Redis commands completed */
    uint64_t errors;      /* commands that failed or timed out */
    uint64_t identify_grants;
    uint64_t identify_waits;  /* asks answered "taken, wait" */
    uint64_t global_tokens;   /* REST global slots fetched */
    uint64_t lease_conflicts; /* a leased shard found in another's hands */
    uint64_t bucket_grants;   /* route bucket slots granted */
    uint64_t bucket_waits;    /* asks answered: bucket empty, wait */
    int processes;
    int64_t identifies_24h; /* shared identify count, -1 unknown */
    int64_t invalid_10m;    /* shared invalid responses, -1 unknown */
    int64_t session_budget; /* shared identifies left, -1 unknown */
    uint64_t budget_waits;  /* asks answered: budget spent, wait */
};

/* Name: dbot__coord_stats
 * Desc: any thread: a snapshot for /metrics and /healthz. */
void dbot__coord_stats(const struct dbot__coord *c,
                       struct dbot__coord_stats *out);

/* Name: dbot__coord_free
 * Desc: stop the thread (waits at most ~1 s for a Redis command in
 *       flight), release this process's shard leases so a restart takes
 *       them at once, free. NULL is a no-op. */
void dbot__coord_free(struct dbot__coord *c);

#endif
