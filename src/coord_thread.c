/*
 * coord_thread.c: the coordination thread: every Redis round trip of the
 * bot happens here (coord.h).
 *
 * DESIGN. One blocking hiredis context with COORD_TIMEOUT_MS for connect
 * and for each command, so a slow or dead Redis costs this thread at most
 * that per command and never the loop or the REST thread, which only see
 * `up` turn 0 and fall back to their local limits. The thread sleeps on a
 * condition variable until a caller leaves work (an identify slot to ask
 * for, an identify sent, global slots wanted, max_concurrency learned) or
 * the next lease renewal is due.
 *
 * Atomicity comes from Lua scripts (EVAL): taking an identify slot is one
 * SET NX PX, or the time left on it; the global limit is a sliding window
 * (a sorted set of send times over COORD_GLOBAL_WIN_MS) from which a
 * process takes up to COORD_TOKEN_BATCH slots in one script, using Redis's
 * clock so processes on different machines agree. Keys are built inside
 * the scripts from the namespace, so this needs one Redis, not a cluster.
 *
 * Outages. A failed command drops the context; `up` turns 0, logged once
 * per outage (error) and counted for /metrics. Reconnects are tried every
 * COORD_RETRY_MS. After a reconnect the identify slots are held back for
 * COORD_IDENT_HOLD_MS (grace_until): a Redis that restarted empty has
 * forgotten identifies made just before, and processes that paced alone
 * during the outage may have identified moments ago.
 */
#include "coord_impl.h"

#include "clock.h"
#include "log.h"

#include <dbot/dbot.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* KEYS: shard lease keys. ARGV: owner, lease ms, processes key, now key
 * ttl. Claims free or own leases; returns {index, holder, pttl} for each
 * held by someone else, then registers the owner as a live process. */
static const char lease_script[] =
    "local out = {} "
    "for i, k in ipairs(KEYS) do "
    "  local v = redis.call('GET', k) "
    "  if not v or v == ARGV[1] then "
    "    redis.call('SET', k, ARGV[1], 'PX', ARGV[2]) "
    "  else "
    "    out[#out + 1] = i - 1 out[#out + 1] = v "
    "    out[#out + 1] = redis.call('PTTL', k) "
    "  end "
    "end "
    "local t = redis.call('TIME') "
    "local now = t[1] * 1000 + math.floor(t[2] / 1000) "
    "redis.call('ZADD', ARGV[3], now, ARGV[1]) "
    "redis.call('ZREMRANGEBYSCORE', ARGV[3], '-inf', now - ARGV[2]) "
    "redis.call('PEXPIRE', ARGV[3], ARGV[2]) "
    "out[#out + 1] = -1 out[#out + 1] = '' "
    "out[#out + 1] = redis.call('ZCARD', ARGV[3]) "
    "return out";

/* KEYS[1]: namespace. ARGV: shard id, local max_concurrency, owner, lease
 * ms, mode ("take" or "sent"). take: the bucket's slot and one identify
 * of the session budget, together, or nothing; sent: hold the slot
 * COORD_IDENT_HOLD_MS from now. take returns {wait, identifies in 24 h,
 * budget left (-1 unknown), spent}: wait 0 is a grant; spent 1 means the
 * budget is spent and wait is the ms until it resets. A budget whose
 * reset has passed is refilled to its total first (coord.h's rule). */
static const char identify_script[] =
    "local mc = tonumber(redis.call('GET', KEYS[1] .. ':max_concurrency') "
    "  or ARGV[2]) "
    "if mc < 1 then mc = 1 end "
    "local k = KEYS[1] .. ':identify:' .. (tonumber(ARGV[1]) % mc) "
    "if ARGV[5] == 'sent' then "
    "  redis.call('SET', k, ARGV[3], 'PX', ARGV[4]) return 0 "
    "end "
    "local b = KEYS[1] .. ':session_budget' local left = -1 "
    "if redis.call('EXISTS', b) == 1 then "
    "  local t = redis.call('TIME') "
    "  local now = t[1] * 1000 + math.floor(t[2] / 1000) "
    "  local reset = tonumber(redis.call('HGET', b, 'reset')) "
    "  if now >= reset then "
    "    reset = now + 86400000 "
    "    redis.call('HSET', b, 'rem', redis.call('HGET', b, 'total'), "
    "      'reset', reset, 'guess', 1) "
    "    redis.call('PEXPIRE', b, 172800000) "
    "  end "
    "  left = tonumber(redis.call('HGET', b, 'rem')) "
    "  if left <= 0 then return {math.max(1, reset - now), -1, 0, 1} end "
    "end "
    "if redis.call('SET', k, ARGV[3], 'NX', 'PX', ARGV[4]) then "
    "  local n = KEYS[1] .. ':identifies' "
    "  if redis.call('INCR', n) == 1 then "
    "    redis.call('PEXPIRE', n, 86400000) end "
    "  if left >= 0 then left = redis.call('HINCRBY', b, 'rem', -1) end "
    "  return {0, tonumber(redis.call('GET', n)), left, 0} "
    "end "
    "local t = redis.call('PTTL', k) if t < 1 then t = 1 end "
    "return {t, -1, left, 0}";

/* KEYS[1]: the session budget. ARGV: remaining, total, reset_after ms (as
 * Discord said, aged by the time the observation waited here). Within the
 * window (Redis's clock before `reset`) `rem` only goes down; a window
 * that is over, or a missing key, takes the observation as it is. A reset
 * guessed at a refill is replaced by the observed one. Returns {rem,
 * ms until reset}. */
static const char budget_script[] =
    "local k = KEYS[1] local t = redis.call('TIME') "
    "local now = t[1] * 1000 + math.floor(t[2] / 1000) "
    "local rem, total, after = tonumber(ARGV[1]), tonumber(ARGV[2]), "
    "  tonumber(ARGV[3]) "
    "local reset = tonumber(redis.call('HGET', k, 'reset') or 0) "
    "if redis.call('EXISTS', k) == 1 and now < reset then "
    "  if rem < tonumber(redis.call('HGET', k, 'rem')) then "
    "    redis.call('HSET', k, 'rem', rem) end "
    "  redis.call('HSET', k, 'total', total) "
    "  if redis.call('HGET', k, 'guess') == '1' then "
    "    reset = now + after "
    "    redis.call('HSET', k, 'reset', reset, 'guess', 0) "
    "    redis.call('PEXPIRE', k, after + ARGV[4]) "
    "  end "
    "  return {tonumber(redis.call('HGET', k, 'rem')), reset - now} "
    "end "
    "redis.call('HSET', k, 'rem', rem, 'total', total, 'reset', now + after, "
    "  'guess', 0) "
    "redis.call('PEXPIRE', k, after + ARGV[4]) "
    "return {rem, after}";

/* KEYS[1]: the window's sorted set, members "owner:number" scored with
 * the time they stop counting... minus the window: a slot in flight is
 * scored COORD_SLOT_HOLD_MS ahead, an answered or lapsed one is re-scored
 * to the time of its answer, so it counts one window after it, as the
 * local limit counts (ratelimit.c). ARGV: limit, window ms, wanted, owner,
 * first number - 1 (members must be unique: two fetches in one millisecond
 * would otherwise overwrite each other's slots), hold ms, then the numbers
 * of this owner's slots to re-score. Returns {granted, ms until one may
 * free}. */
static const char global_script[] =
    "local t = redis.call('TIME') "
    "local now = t[1] * 1000 + math.floor(t[2] / 1000) "
    "for i = 7, #ARGV do "
    "  redis.call('ZADD', KEYS[1], 'XX', now, ARGV[4] .. ':' .. ARGV[i]) "
    "end "
    "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ARGV[2]) "
    "local free = tonumber(ARGV[1]) - redis.call('ZCARD', KEYS[1]) "
    "local n = math.max(0, math.min(free, tonumber(ARGV[3]))) "
    "for i = 1, n do "
    "  redis.call('ZADD', KEYS[1], now + ARGV[6], "
    "    ARGV[4] .. ':' .. (ARGV[5] + i)) "
    "end "
    "redis.call('PEXPIRE', KEYS[1], ARGV[2] + ARGV[6]) "
    "local wait = 0 "
    "if n < 1 then "
    "  local o = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES') "
    "  if o[2] then wait = tonumber(o[2]) + ARGV[2] - now end "
    "end "
    "return {n, wait}";

/* KEYS[1]: bucket key. ARGV: limit as last seen (0: unknown). A slot of
 * the bucket's shared window: {1, 0} taken, or {0, ms until it resets}.
 * A bucket nobody described yet opens a window of `limit` with a long
 * expiry; the first response (seen_script) sets the real one, so until
 * then an empty window says "ask again in 100 ms", not its expiry. */
static const char bucket_script[] =
    "local k = KEYS[1] "
    "if redis.call('EXISTS', k) == 0 then "
    "  if tonumber(ARGV[1]) <= 0 then return {1, 0} end "
    "  redis.call('HSET', k, 'rem', ARGV[1] - 1, 'guess', 1) "
    "  redis.call('PEXPIRE', k, 60000) return {1, 0} "
    "end "
    "if tonumber(redis.call('HGET', k, 'rem') or 0) > 0 then "
    "  redis.call('HINCRBY', k, 'rem', -1) return {1, 0} "
    "end "
    "if redis.call('HGET', k, 'guess') == '1' then return {0, 100} end "
    "local t = redis.call('PTTL', k) if t < 1 then t = 1 end "
    "return {0, t}";

/* KEYS[1]: bucket key. ARGV: limit, remaining, reset_after ms. A response
 * described the window: never raise `rem` (a stale header must not refill
 * it: our own decrements are trusted), move the expiry to its reset. */
static const char seen_script[] =
    "local k = KEYS[1] local ttl = tonumber(ARGV[3]) + 100 "
    "if redis.call('EXISTS', k) == 0 then "
    "  redis.call('HSET', k, 'rem', ARGV[2], 'guess', 0) "
    "  redis.call('PEXPIRE', k, ttl) return 0 "
    "end "
    "if tonumber(ARGV[2]) < tonumber(redis.call('HGET', k, 'rem') or 0) then "
    "  redis.call('HSET', k, 'rem', ARGV[2]) end "
    "if redis.call('HGET', k, 'guess') == '1' then "
    "  redis.call('HSET', k, 'guess', 0) redis.call('PEXPIRE', k, ttl) "
    "elseif redis.call('PTTL', k) < ttl then "
    "  redis.call('PEXPIRE', k, ttl) end "
    "return 0";

/* KEYS[1]: namespace. ARGV: invalid responses to add now. Counted in
 * 10 s slots kept 10 minutes; returns the total of the last 10 minutes. */
static const char invalid_script[] =
    "local t = redis.call('TIME') local slot = math.floor(t[1] / 10) "
    "local n = tonumber(ARGV[1]) "
    "if n > 0 then "
    "  local k = KEYS[1] .. ':invalid:' .. slot "
    "  redis.call('INCRBY', k, n) redis.call('EXPIRE', k, 610) "
    "end "
    "local total = 0 "
    "for i = 0, 59 do "
    "  total = total + tonumber(redis.call('GET', KEYS[1] .. ':invalid:' "
    "    .. (slot - i)) or 0) "
    "end "
    "return total";

static struct timeval
tv_ms(int ms)
{
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    return tv;
}

/* A command outside EVAL (AUTH, SELECT); 0 when it answered OK. */
static int
simple(redisContext *rc, const char *fmt, const char *arg)
{
    redisReply *r = redisCommand(rc, fmt, arg);
    int ok = r && r->type != REDIS_REPLY_ERROR;

    if (r)
        freeReplyObject(r);
    return ok ? 0 : -1;
}

int
dbot__coord_connect(struct dbot__coord *c)
{
    struct timeval tv = tv_ms(COORD_TIMEOUT_MS);
    redisContext *rc;
    char db[16];

    if (c->addr.path[0])
        rc = redisConnectUnixWithTimeout(c->addr.path, tv);
    else
        rc = redisConnectWithTimeout(c->addr.host, c->addr.port, tv);
    if (!rc)
        return -1;
    if (rc->err || redisSetTimeout(rc, tv) != REDIS_OK) {
        LOG_D("coord", "connect: %s", rc->errstr);
        redisFree(rc);
        return -1;
    }
    snprintf(db, sizeof db, "%d", c->addr.db);
    if ((c->addr.password[0] && simple(rc, "AUTH %s", c->addr.password) < 0) ||
        (c->addr.db && simple(rc, "SELECT %s", db) < 0)) {
        LOG_E("coord", "Redis refused AUTH or SELECT: check redis_url");
        redisFree(rc);
        return -1;
    }
    c->rc = rc;
    return 0;
}

void
dbot__coord_lost(struct dbot__coord *c, const char *why)
{
    char reason[128];
    int log;

    /* `why` may be the context's own errstr: copy it before the free. */
    snprintf(reason, sizeof reason, "%s", why && *why ? why : "no answer");
    why = reason;
    if (c->rc) {
        redisFree(c->rc);
        c->rc = NULL;
    }
    pthread_mutex_lock(&c->mu);
    log = !c->down_logged;
    c->down_logged = 1;
    if (c->up)
        c->st.outages++;
    c->up = 0;
    /* Slots in Redis run out by themselves (COORD_SLOT_HOLD_MS). */
    c->tok_next = c->tok_end;
    c->ninflight = c->nrescore = 0;
    for (int i = 0; i < c->nsh; i++) {
        if (c->sh[i].ident == IDENT_GRANTED)
            c->sh[i].ident = IDENT_IDLE; /* never took it: the gate is local */
        if (c->sh[i].lease == LEASE_PENDING)
            c->sh[i].lease = LEASE_HELD; /* as the claim grants */
    }
    pthread_mutex_unlock(&c->mu);
    if (log)
        LOG_E("coord",
              "Redis stopped answering (%s): running on local limits "
              "(identify 1 per 5 s per bucket, each shard checking "
              "Discord's session-start remaining alone, the REST global "
              "limit divided by %d processes) until it is back",
              why, c->processes);
}

redisReply *
dbot__coord_eval(struct dbot__coord *c, const char *script, int nkeys,
                 const char **argv, int argc)
{
    const char **v = calloc((size_t)argc + 3, sizeof *v);
    char nk[16];
    redisReply *r;

    if (!c->rc || !v) {
        free(v);
        return NULL;
    }
    snprintf(nk, sizeof nk, "%d", nkeys);
    v[0] = "EVAL";
    v[1] = script;
    v[2] = nk;
    memcpy(v + 3, argv, (size_t)argc * sizeof *argv);
    r = redisCommandArgv(c->rc, argc + 3, v, NULL);
    free(v);
    pthread_mutex_lock(&c->mu);
    if (r && r->type != REDIS_REPLY_ERROR)
        c->st.round_trips++;
    else
        c->st.errors++;
    pthread_mutex_unlock(&c->mu);
    if (!r) {
        dbot__coord_lost(c, c->rc && c->rc->errstr[0]
                                ? c->rc->errstr
                                : "the connection closed");
        return NULL;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        LOG_E("coord", "script error: %s", r->str);
        freeReplyObject(r);
        return NULL;
    }
    return r;
}

redisReply *
dbot__coord_lease(struct dbot__coord *c, const int *ids, int n)
{
    const char **argv = calloc((size_t)n + 4, sizeof *argv);
    char(*keys)[96] = calloc((size_t)n + 1, sizeof *keys);
    char ttl[16], procs[80];
    redisReply *r = NULL;

    if (argv && keys) {
        for (int i = 0; i < n; i++) {
            snprintf(keys[i], sizeof keys[i], "%s:shard:%d", c->ns, ids[i]);
            argv[i] = keys[i];
        }
        snprintf(ttl, sizeof ttl, "%d", COORD_LEASE_MS);
        snprintf(procs, sizeof procs, "%s:processes", c->ns);
        argv[n] = c->owner;
        argv[n + 1] = ttl;
        argv[n + 2] = procs;
        r = dbot__coord_eval(c, lease_script, n, argv, n + 3);
    }
    free(argv);
    free(keys);
    if (r && r->type != REDIS_REPLY_ARRAY) {
        freeReplyObject(r);
        r = NULL;
    }
    return r;
}

/* Renew this process's leases; a shard found in another's hands (Redis
 * lost the key and someone claimed it meanwhile) is logged: two processes
 * now run it. */
static void
renew(struct dbot__coord *c)
{
    int *ids, n = 0;
    redisReply *r;

    /* The held ones: shards added later join once leased (lease_added). */
    pthread_mutex_lock(&c->mu);
    ids = malloc(((size_t)c->nsh + 1) * sizeof *ids);
    for (int i = 0; ids && i < c->nsh; i++)
        if (c->sh[i].lease == LEASE_HELD)
            ids[n++] = c->sh[i].id;
    pthread_mutex_unlock(&c->mu);
    if (!ids)
        return;
    r = dbot__coord_lease(c, ids, n);
    if (r) {
        for (size_t k = 0; k + 2 < r->elements; k += 3) {
            redisReply *ix = r->element[k], *t = r->element[k + 2];
            if (ix->type != REDIS_REPLY_INTEGER)
                continue;
            if (ix->integer < 0) {
                pthread_mutex_lock(&c->mu);
                c->processes = t->type == REDIS_REPLY_INTEGER && t->integer > 0
                                   ? (int)t->integer
                                   : 1;
                pthread_mutex_unlock(&c->mu);
            } else if (ix->integer < n) {
                LOG_E("coord",
                      "shard %d is leased by another process now (%s): "
                      "two processes are running it; fix shard_ids",
                      ids[ix->integer],
                      r->element[k + 1]->type == REDIS_REPLY_STRING
                          ? r->element[k + 1]->str
                          : "?");
                pthread_mutex_lock(&c->mu);
                c->st.lease_conflicts++;
                pthread_mutex_unlock(&c->mu);
            }
        }
        freeReplyObject(r);
    }
    free(ids);
}

/* The shared budget is spent: say so once per exhaustion, with what it
 * means and what to do. */
static void
budget_spent_log(struct dbot__coord *c, int id, int64_t wait)
{
    int log;

    pthread_mutex_lock(&c->mu);
    log = !c->budget_logged;
    c->budget_logged = 1;
    pthread_mutex_unlock(&c->mu);
    if (log)
        LOG_E("coord",
              "the bot's session-start budget is spent (%s:session_budget "
              "in Redis, shared by all its processes): shard %d and every "
              "other shard that must identify wait until it resets in "
              "%lld s (resumes go on). Identifying anyway gets the token "
              "reset by Discord; look for what spent it (restart loops, "
              "invalid sessions) and let sessions resume instead",
              c->ns, id, (long long)(wait / 1000));
}

/* Ask for the identify slot of shard `id` (and one identify of the
 * session budget); or hold it after a send. */
static void
identify(struct dbot__coord *c, int id, int mc, int sent)
{
    char sid[16], smc[16], lease[16];
    const char *argv[] = { c->ns,    sid,   smc,
                           c->owner, lease, sent ? "sent" : "take" };
    redisReply *r;
    int64_t wait = -1, spent = -1, left = -1, exhausted = 0;

    snprintf(sid, sizeof sid, "%d", id);
    snprintf(smc, sizeof smc, "%d", mc);
    snprintf(lease, sizeof lease, "%d",
             sent ? COORD_IDENT_HOLD_MS : COORD_IDENT_LEASE_MS);
    r = dbot__coord_eval(c, identify_script, 1, argv, 6);
    if (!r)
        return;
    if (!sent && r->type == REDIS_REPLY_ARRAY && r->elements == 4) {
        for (size_t i = 0; i < 4; i++)
            if (r->element[i]->type != REDIS_REPLY_INTEGER)
                goto out;
        wait = r->element[0]->integer;
        spent = r->element[1]->integer;
        left = r->element[2]->integer;
        exhausted = r->element[3]->integer;
    }
out:
    freeReplyObject(r);
    if (sent || wait < 0)
        return;
    if (exhausted)
        budget_spent_log(c, id, wait);
    pthread_mutex_lock(&c->mu);
    if (left >= 0 || exhausted) {
        c->budget_left = left;
        c->st.session_budget = left;
        if (exhausted)
            c->budget_reset_at = dbot__clock_ms() + wait;
    }
    for (int i = 0; i < c->nsh; i++) {
        struct coord_shard *s = &c->sh[i];
        if (s->id != id || s->ident != IDENT_ASKED)
            continue;
        if (wait == 0) {
            s->ident = IDENT_GRANTED;
            c->st.identify_grants++;
            c->budget_logged = 0;
            if (spent >= 0)
                c->st.identifies_24h = spent;
        } else if (exhausted) {
            /* Asked again every few seconds, not once at the reset:
             * the reset may move (a refill guesses it, the next
             * observation sets it). */
            s->ident = IDENT_IDLE;
            s->next_try =
                dbot__clock_ms() +
                (wait < COORD_BUDGET_POLL_MS ? wait : COORD_BUDGET_POLL_MS);
            c->st.budget_waits++;
        } else {
            s->ident = IDENT_IDLE;
            s->next_try = dbot__clock_ms() + wait;
            c->st.identify_waits++;
        }
    }
    pthread_mutex_unlock(&c->mu);
}

/* Publish the observation the callers left (budget_dirty). */
static void
publish_budget(struct dbot__coord *c)
{
    char key[80], rem[24], total[24], after[24], keep[24];
    const char *argv[] = { key, rem, total, after, keep };
    int64_t aged;
    redisReply *r;

    pthread_mutex_lock(&c->mu);
    c->budget_dirty = 0;
    /* The time it waited here is time off Discord's reset_after. */
    aged = c->budget_after - (dbot__clock_ms() - c->budget_seen_at);
    snprintf(rem, sizeof rem, "%lld", (long long)c->budget_rem);
    snprintf(total, sizeof total, "%lld", (long long)c->budget_total);
    pthread_mutex_unlock(&c->mu);
    snprintf(after, sizeof after, "%lld", (long long)(aged > 0 ? aged : 0));
    snprintf(keep, sizeof keep, "%d", COORD_BUDGET_KEEP_MS);
    snprintf(key, sizeof key, "%s:session_budget", c->ns);
    r = dbot__coord_eval(c, budget_script, 1, argv, 5);
    if (!r)
        return;
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
        r->element[0]->type == REDIS_REPLY_INTEGER &&
        r->element[1]->type == REDIS_REPLY_INTEGER) {
        pthread_mutex_lock(&c->mu);
        c->budget_left = r->element[0]->integer;
        c->st.session_budget = c->budget_left;
        c->budget_reset_at = dbot__clock_ms() + r->element[1]->integer;
        pthread_mutex_unlock(&c->mu);
        LOG_D("coord", "session budget: %lld left, resets in %lld s",
              (long long)r->element[0]->integer,
              (long long)(r->element[1]->integer / 1000));
    }
    freeReplyObject(r);
}

/* Lease the shards added since the claim (LEASE_PENDING) that are due, as
 * the claim does: a holder that keeps renewing is alive (refused), one
 * whose lease runs down is dead (wait it out). */
static void
lease_added(struct dbot__coord *c)
{
    int *ids, *refused, n = 0, nref = 0;
    int64_t now = dbot__clock_ms();
    char holder[128] = "";
    redisReply *r;

    pthread_mutex_lock(&c->mu);
    ids = malloc(((size_t)c->nsh + 1) * sizeof *ids);
    refused = malloc(((size_t)c->nsh + 1) * sizeof *refused);
    for (int i = 0; ids && refused && i < c->nsh; i++)
        if (c->sh[i].lease == LEASE_PENDING && now >= c->sh[i].lease_next)
            ids[n++] = c->sh[i].id;
    pthread_mutex_unlock(&c->mu);
    if (n == 0 || !(r = dbot__coord_lease(c, ids, n))) {
        free(ids);
        free(refused);
        return; /* nothing due, or Redis went away (lost(): granted) */
    }
    pthread_mutex_lock(&c->mu);
    for (int j = 0; j < n; j++) {
        struct coord_shard *s = NULL;
        int64_t pttl = -1;

        for (int i = 0; i < c->nsh && !s; i++)
            if (c->sh[i].id == ids[j] && c->sh[i].lease == LEASE_PENDING)
                s = &c->sh[i];
        if (!s)
            continue; /* granted meanwhile (Redis went away) */
        for (size_t k = 0; k + 2 < r->elements; k += 3) {
            redisReply *ix = r->element[k], *who = r->element[k + 1];
            if (ix->type == REDIS_REPLY_INTEGER && ix->integer == j) {
                pttl = r->element[k + 2]->type == REDIS_REPLY_INTEGER
                           ? r->element[k + 2]->integer
                           : 0;
                if (who->type == REDIS_REPLY_STRING)
                    snprintf(holder, sizeof holder, "%s", who->str);
            }
        }
        if (pttl < 0) {
            s->lease = LEASE_HELD;
        } else if ((s->lease_prev >= 0 && pttl > s->lease_prev + 200) ||
                   now >= s->lease_until) {
            s->lease = LEASE_REFUSED;
            s->ident = IDENT_IDLE;
            refused[nref++] = s->id;
            c->st.lease_conflicts++;
        } else {
            s->lease_prev = pttl;
            s->lease_next = now + 500;
        }
    }
    pthread_mutex_unlock(&c->mu);
    freeReplyObject(r);
    if (nref > 0)
        dbot__coord_log_refused(refused, nref, holder);
    free(ids);
    free(refused);
}

/* Fetch `want` global slots (0: none) and re-time the slots in
 * `done[0..ndone)`, in one round trip. */
static void
fetch_tokens(struct dbot__coord *c, int want, const uint64_t *done, int ndone)
{
    char key[80], lim[16], win[16], n[16], seq[24], hold[16];
    char nums[COORD_RESCORE_MAX][24];
    const char *argv[7 + COORD_RESCORE_MAX] = { key,      lim, win, n,
                                                c->owner, seq, hold };
    redisReply *r;
    int64_t got = 0, wait = 0, t0 = dbot__clock_ms();
    uint64_t base = c->slot_seq;

    snprintf(key, sizeof key, "%s:rest:global", c->ns);
    pthread_mutex_lock(&c->mu);
    snprintf(lim, sizeof lim, "%d",
             c->slow_level == 0   ? c->per_sec
             : c->slow_level == 1 ? (c->per_sec / 5 > 0 ? c->per_sec / 5 : 1)
                                  : 1);
    pthread_mutex_unlock(&c->mu);
    snprintf(win, sizeof win, "%d", COORD_GLOBAL_WIN_MS);
    snprintf(n, sizeof n, "%d", want);
    snprintf(seq, sizeof seq, "%llu", (unsigned long long)base);
    snprintf(hold, sizeof hold, "%d", COORD_SLOT_HOLD_MS);
    for (int i = 0; i < ndone; i++) {
        snprintf(nums[i], sizeof nums[i], "%llu", (unsigned long long)done[i]);
        argv[7 + i] = nums[i];
    }
    c->slot_seq += (uint64_t)want;
    r = dbot__coord_eval(c, global_script, 1, argv, 7 + ndone);
    if (!r)
        return;
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
        got = r->element[0]->integer;
        wait = r->element[1]->integer;
    }
    freeReplyObject(r);
    if (want == 0)
        return; /* only re-timed */
    pthread_mutex_lock(&c->mu);
    dbot__coord_lapse_slots(c); /* any left from before: given back */
    c->tok_next = base + 1;
    c->tok_end = base + 1 + (uint64_t)got;
    c->tokens_until = t0 + COORD_TOKEN_TTL_MS;
    c->st.global_tokens += (uint64_t)got;
    /* Full: nobody asks again before a slot may free; slots in flight
     * free when answered, so look again soon. */
    c->full_until = got == 0 ? t0 + (wait > 0 && wait < 100 ? wait : 100) : 0;
    if (c->waker)
        c->waker(c->waker_ud);
    pthread_mutex_unlock(&c->mu);
}

/* What the callers left for Redis, under mu. */
struct todo {
    int quit, mc, mc_dirty, want_tokens, renew, invalid;
    uint64_t rescore[COORD_RESCORE_MAX];
    int nrescore;
    int *ask, nask, *sent, nsent, cap; /* cap: room in ask and sent */
    int lease, budget; /* added shards to lease; a budget to publish */
    struct coord_bucket buckets[COORD_BUCKETS]; /* asked */
    int nbuckets;
    struct coord_seen seen[COORD_SEEN_MAX];
    int nseen;
};

/* Ask Redis for one slot of each bucket in t->buckets. */
static void
buckets(struct dbot__coord *c, const struct todo *t)
{
    for (int i = 0; i < t->nbuckets && c->rc; i++) {
        char key[COORD_BUCKET_KEY + 64], lim[16];
        const char *argv[] = { key, lim };
        int64_t wait = -1;
        redisReply *r;

        snprintf(key, sizeof key, "%s:bucket:%s", c->ns, t->buckets[i].key);
        snprintf(lim, sizeof lim, "%d", t->buckets[i].limit);
        r = dbot__coord_eval(c, bucket_script, 1, argv, 2);
        if (!r)
            return;
        if (r->type == REDIS_REPLY_ARRAY && r->elements == 2)
            wait = r->element[0]->integer ? 0 : r->element[1]->integer;
        freeReplyObject(r);
        LOG_D("coord", "bucket %s: %s %lld ms", t->buckets[i].key,
              wait == 0 ? "granted" : "wait", (long long)wait);
        pthread_mutex_lock(&c->mu);
        for (int k = 0; k < COORD_BUCKETS; k++) {
            struct coord_bucket *b = &c->buckets[k];
            if (b->ask != ASK_ASKED || strcmp(b->key, t->buckets[i].key))
                continue;
            if (wait == 0) {
                b->ask = ASK_GRANTED;
                c->st.bucket_grants++;
            } else {
                /* Asked again within a second at most: a response of
                 * another process may move the reset meanwhile. */
                b->ask = ASK_IDLE;
                b->until = dbot__clock_ms() + (wait <= 0     ? 5
                                               : wait < 1000 ? wait
                                                             : 1000);
                c->st.bucket_waits++;
            }
        }
        if (c->waker)
            c->waker(c->waker_ud);
        pthread_mutex_unlock(&c->mu);
    }
}

static void
seen(struct dbot__coord *c, const struct todo *t)
{
    for (int i = 0; i < t->nseen && c->rc; i++) {
        char key[COORD_BUCKET_KEY + 64], lim[16], rem[16], after[24];
        const char *argv[] = { key, lim, rem, after };
        redisReply *r;

        snprintf(key, sizeof key, "%s:bucket:%s", c->ns, t->seen[i].key);
        snprintf(lim, sizeof lim, "%d", t->seen[i].limit);
        snprintf(rem, sizeof rem, "%d", t->seen[i].remaining);
        snprintf(after, sizeof after, "%lld",
                 (long long)t->seen[i].reset_after);
        r = dbot__coord_eval(c, seen_script, 1, argv, 4);
        if (r)
            freeReplyObject(r);
    }
}

/* Add this process's invalid responses and read everyone's; cross the
 * slow-down thresholds together. */
static void
invalid(struct dbot__coord *c, int add)
{
    char n[16];
    const char *argv[] = { c->ns, n };
    redisReply *r;
    int64_t total;
    int level, was;

    snprintf(n, sizeof n, "%d", add);
    r = dbot__coord_eval(c, invalid_script, 1, argv, 2);
    if (!r)
        return;
    total = r->type == REDIS_REPLY_INTEGER ? r->integer : 0;
    freeReplyObject(r);
    level = total >= COORD_INVALID_CRAWL  ? 2
            : total >= COORD_INVALID_SLOW ? 1
                                          : 0;
    pthread_mutex_lock(&c->mu);
    c->st.invalid_10m = total;
    was = c->slow_level;
    c->slow_level = level;
    pthread_mutex_unlock(&c->mu);
    if (level > was)
        LOG_E("coord",
              "%lld invalid requests (401/403/429) in 10 minutes across the "
              "bot's processes: Discord bans at 10000; every process now "
              "sends %s",
              (long long)total,
              level == 2 ? "1 request per second" : "a fifth of the usual");
    else if (level < was)
        LOG_W("coord",
              "invalid requests down to %lld in 10 minutes: back to "
              "%s",
              (long long)total, level ? "a fifth" : "the usual rate");
}

/* Under mu: something for Redis now? Asks held back by the grace period
 * count once it is over. */
static int
has_work(const struct dbot__coord *c, int64_t now)
{
    if (c->work || c->nrescore > 0 || c->budget_dirty ||
        (c->tok_next < c->tok_end && now >= c->tokens_until))
        return 1;
    for (int i = 0; i < c->nsh; i++)
        if (c->sh[i].lease == LEASE_PENDING && now >= c->sh[i].lease_next)
            return 1;
    if (now < c->grace_until)
        return 0;
    for (int i = 0; i < c->nsh; i++)
        if (c->sh[i].ident == IDENT_ASKED)
            return 1;
    return 0;
}

static void
collect(struct dbot__coord *c, struct todo *t, int64_t next_renew)
{
    int64_t now;

    pthread_mutex_lock(&c->mu);
    while (!c->quit && !has_work(c, dbot__clock_ms()) &&
           dbot__clock_ms() < next_renew) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&c->cv, &c->mu, &ts);
    }
    now = dbot__clock_ms();
    c->work = 0;
    t->quit = c->quit;
    t->mc = c->mc;
    t->mc_dirty = c->mc_dirty;
    c->mc_dirty = 0;
    t->renew = now >= next_renew;
    t->nask = t->nsent = 0;
    t->budget = c->budget_dirty;
    t->lease = 0;
    if (c->nsh + 1 > t->cap) { /* shards were added */
        size_t sz = ((size_t)c->nsh + 1) * sizeof(int);
        int *a = realloc(t->ask, sz), *b = NULL;

        if (a) {
            t->ask = a;
            b = realloc(t->sent, sz);
        }
        if (b) {
            t->sent = b;
            t->cap = c->nsh + 1;
        } /* else: the shards past cap wait for the next round */
    }
    for (int i = 0; i < c->nsh && i < t->cap - 1; i++) {
        if (c->sh[i].lease == LEASE_PENDING && now >= c->sh[i].lease_next)
            t->lease = 1;
        if (c->sh[i].ident == IDENT_ASKED && now >= c->grace_until)
            t->ask[t->nask++] = c->sh[i].id;
        if (c->sh[i].sent) {
            c->sh[i].sent = 0;
            t->sent[t->nsent++] = c->sh[i].id;
        }
    }
    t->nbuckets = 0;
    for (int i = 0; i < COORD_BUCKETS; i++)
        if (c->buckets[i].ask == ASK_ASKED)
            t->buckets[t->nbuckets++] = c->buckets[i];
    memcpy(t->seen, c->seen, (size_t)c->nseen * sizeof *c->seen);
    t->nseen = c->nseen;
    c->nseen = 0;
    t->invalid = c->invalid_pending;
    c->invalid_pending = 0;
    if (c->tok_next < c->tok_end && now >= c->tokens_until)
        dbot__coord_lapse_slots(c);
    memcpy(t->rescore, c->rescore, (size_t)c->nrescore * sizeof *c->rescore);
    t->nrescore = c->nrescore;
    c->nrescore = 0;
    t->want_tokens = c->demand > 0 ? c->demand : 0;
    c->demand = 0;
    /* Requests coming fast (the last batch used up within 200 ms): fetch
     * twice as many, so a burst costs a round trip per few requests.
     * Slots not used lapse after COORD_TOKEN_TTL_MS, so the batch stays
     * small (COORD_TOKEN_BATCH). */
    if (t->want_tokens > 0) {
        int recent = (int)(c->taken - c->taken_at_fetch);
        if (now - c->last_fetch < 200 && 2 * recent > t->want_tokens)
            t->want_tokens = 2 * recent;
        c->taken_at_fetch = c->taken;
        c->last_fetch = now;
    }
    if (t->want_tokens > COORD_TOKEN_BATCH)
        t->want_tokens = COORD_TOKEN_BATCH;
    pthread_mutex_unlock(&c->mu);
}

static void
reconnect(struct dbot__coord *c, int64_t *next_try)
{
    int64_t now = dbot__clock_ms();

    if (now < *next_try)
        return;
    *next_try = now + COORD_RETRY_MS;
    if (dbot__coord_connect(c) < 0)
        return;
    pthread_mutex_lock(&c->mu);
    c->up = 1;
    c->mc_dirty = 1;
    c->grace_until = c->ever_up ? now + COORD_IDENT_HOLD_MS : 0;
    /* A Redis that restarted empty must not refill a spent budget: what
     * this process saw last goes back (the lowest of all processes wins). */
    if (!c->budget_dirty && c->budget_left >= 0 && c->budget_reset_at > now) {
        c->budget_rem = c->budget_left;
        c->budget_total =
            c->budget_total > c->budget_left ? c->budget_total : c->budget_left;
        c->budget_after = c->budget_reset_at - now;
        c->budget_seen_at = now;
        c->budget_dirty = 1;
    }
    c->ever_up = 1;
    c->down_logged = 0;
    pthread_mutex_unlock(&c->mu);
    LOG_W("coord", "Redis answers again: coordinating with the other "
                   "processes");
}

static void
publish_concurrency(struct dbot__coord *c, int mc)
{
    char key[80], v[16];
    redisReply *r;

    snprintf(key, sizeof key, "%s:max_concurrency", c->ns);
    snprintf(v, sizeof v, "%d", mc);
    r = redisCommand(c->rc, "SET %s %s EX 86400", key, v);
    if (!r) {
        dbot__coord_lost(c, c->rc->errstr[0] ? c->rc->errstr
                                             : "the connection closed");
        return;
    }
    freeReplyObject(r);
}

void *
dbot__coord_main(void *arg)
{
    struct dbot__coord *c = arg;
    struct todo t = { 0 };
    int64_t next_renew = dbot__clock_ms() + COORD_RENEW_MS, next_try = 0;

    pthread_mutex_lock(&c->mu);
    t.cap = c->nsh + 1;
    pthread_mutex_unlock(&c->mu);
    t.ask = calloc((size_t)t.cap, sizeof *t.ask);
    t.sent = calloc((size_t)t.cap, sizeof *t.sent);
    if (!t.ask || !t.sent) {
        LOG_E("coord", "out of memory: coordination stopped");
        free(t.ask);
        free(t.sent);
        return NULL;
    }
    for (;;) {
        collect(c, &t, next_renew);
        if (t.quit)
            break;
        if (!c->rc) {
            reconnect(c, &next_try);
            if (!c->rc) {
                if (t.renew)
                    next_renew = dbot__clock_ms() + COORD_RETRY_MS;
                continue;
            }
            t.renew = 1; /* the leases first: Redis may have lost them */
            t.mc_dirty = 1;
        }
        if (t.renew) {
            renew(c);
            if (c->rc)
                invalid(c, 0);
            next_renew = dbot__clock_ms() + COORD_RENEW_MS;
        }
        if (t.invalid && c->rc)
            invalid(c, t.invalid);
        if (t.lease && c->rc)
            lease_added(c);
        /* Before the asks: an identify spends from what was learned. */
        if (t.budget && c->rc)
            publish_budget(c);
        seen(c, &t);
        buckets(c, &t);
        if (c->rc && t.mc_dirty)
            publish_concurrency(c, t.mc);
        for (int i = 0; i < t.nsent && c->rc; i++)
            identify(c, t.sent[i], t.mc, 1);
        for (int i = 0; i < t.nask && c->rc; i++)
            identify(c, t.ask[i], t.mc, 0);
        if ((t.want_tokens || t.nrescore) && c->rc)
            fetch_tokens(c, t.want_tokens, t.rescore, t.nrescore);
    }
    free(t.ask);
    free(t.sent);
    return NULL;
}
