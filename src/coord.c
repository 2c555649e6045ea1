/*
 * coord.c: the callers' side of the coordination (coord.h): the loop and
 * the REST thread read and change a small state under one mutex and wake
 * the coordination thread (coord_thread.c), which does the Redis round
 * trips. Nothing here waits for Redis, except dbot__coord_claim, which
 * runs before the loop exists.
 */
#include "coord_impl.h"

#include "clock.h"
#include "log.h"

#include <dbot/dbot.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CLAIM_STEP_MS 500

int
dbot__coord_new(struct dbot__coord **out, const struct dbot__coord_opts *o)
{
    struct dbot__coord *c;
    char err[256], host[64] = "";
    struct timespec ts;

    *out = NULL;
    if (!o->app_id)
        return DBOT_EINVAL;
    c = calloc(1, sizeof *c);
    if (!c)
        return DBOT_ENOMEM;
    if (dbot__redis_url_parse(o->redis_url, &c->addr, err, sizeof err) < 0) {
        LOG_E("coord", "redis_url: %s", err);
        free(c);
        return DBOT_EINVAL;
    }
    snprintf(c->ns, sizeof c->ns, "dbot:%" PRIu64, o->app_id);
    gethostname(host, sizeof host - 1);
    clock_gettime(CLOCK_REALTIME, &ts);
    /* The random part tells two processes apart that share a pid
     * (containers): the holder must be this very process. */
    snprintf(c->owner, sizeof c->owner, "%s:%ld:%08lx", host, (long)getpid(),
             (unsigned long)((uint64_t)ts.tv_nsec * 2654435761u ^
                             (uint64_t)ts.tv_sec));
    c->per_sec = o->global_per_sec > 0 ? o->global_per_sec : 50;
    c->mc = 1;
    c->processes = 1;
    c->st.identifies_24h = -1;
    c->st.invalid_10m = -1;
    c->st.session_budget = -1;
    c->budget_left = -1;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    *out = c;
    return 0;
}

/* "4-7, 9" for the log. */
static void
id_list(char *buf, size_t cap, const int *ids, int n)
{
    size_t len = 0;

    buf[0] = '\0';
    for (int i = 0; i < n && len < cap; i++) {
        int j = i;
        while (j + 1 < n && ids[j + 1] == ids[j] + 1)
            j++;
        len += (size_t)snprintf(buf + len, cap - len, "%s%d", i ? ", " : "",
                                ids[i]);
        if (j > i && len < cap)
            len += (size_t)snprintf(buf + len, cap - len, "-%d", ids[j]);
        i = j;
    }
}

void
dbot__coord_log_refused(const int *ids, int n, const char *holder)
{
    char list[256];

    id_list(list, sizeof list, ids, n);
    LOG_E("coord",
          "shard%s %s already run by another process of this bot (%s): "
          "refusing to start %s; check shard_ids / DBOT_SHARD_IDS of "
          "each process (two sessions of one shard would fight)",
          n > 1 ? "s" : "", list, holder, n > 1 ? "them" : "it");
}

static int
cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;

    return (x > y) - (x < y);
}

/* One claim attempt. Fills held[]/pttl[]/holder for the shards another
 * process holds. Returns how many, or -1 when Redis did not answer. */
static int
claim_once(struct dbot__coord *c, const int *ids, int n, int64_t *pttl,
           char *holder, size_t holder_cap)
{
    redisReply *r = dbot__coord_lease(c, ids, n);
    int held = 0;

    for (int i = 0; i < n; i++)
        pttl[i] = -1;
    if (!r)
        return -1;
    for (size_t k = 0; r->type == REDIS_REPLY_ARRAY && k + 2 < r->elements;
         k += 3) {
        redisReply *ix = r->element[k], *who = r->element[k + 1],
                   *t = r->element[k + 2];
        if (ix->type != REDIS_REPLY_INTEGER || ix->integer < 0 ||
            ix->integer >= n)
            continue;
        pttl[ix->integer] = t->type == REDIS_REPLY_INTEGER ? t->integer : 0;
        if (who->type == REDIS_REPLY_STRING)
            snprintf(holder, holder_cap, "%s", who->str);
        held++;
    }
    freeReplyObject(r);
    return held;
}

int
dbot__coord_claim(struct dbot__coord *c, const int *ids, int n, int *refused)
{
    int64_t *pttl = calloc((size_t)n + 1, sizeof *pttl);
    int64_t *prev = calloc((size_t)n + 1, sizeof *prev);
    int64_t deadline = dbot__clock_ms() + COORD_LEASE_MS + 2000;
    char holder[128] = "";
    int nref = 0, held = 0, rc = 0, *want = calloc((size_t)n + 1, sizeof *want);
    int nwant = n;

    c->sh = calloc((size_t)n + 1, sizeof *c->sh);
    c->capsh = n + 1;
    if (!pttl || !prev || !want || !c->sh) {
        rc = DBOT_ENOMEM;
        goto out;
    }
    if (n > 0)
        memcpy(want, ids, (size_t)n * sizeof *ids);
    for (int i = 0; i < n; i++)
        prev[i] = -1;
    if (dbot__coord_connect(c) < 0) {
        LOG_E("coord",
              "Redis at %s%s%d is unreachable: starting shards without "
              "their leases, pacing identifies alone (each shard going by "
              "Discord's session-start remaining); retrying every %d ms",
              c->addr.path[0] ? c->addr.path : c->addr.host,
              c->addr.path[0] ? "" : ":", c->addr.path[0] ? 0 : c->addr.port,
              COORD_RETRY_MS);
        c->down_logged = 1;
        c->st.outages++;
    }
    while (c->rc && nwant > 0) {
        int k = 0;

        held = claim_once(c, want, nwant, pttl, holder, sizeof holder);
        if (held <= 0)
            break; /* all ours, or Redis went away: start them */
        /* A holder that renewed since the last look is alive: refuse its
         * shards. One that lets its lease run down is dead: wait. */
        for (int i = 0; i < nwant; i++) {
            if (pttl[i] < 0) {
                continue; /* ours now */
            } else if ((prev[i] >= 0 && pttl[i] > prev[i] + 200) ||
                       dbot__clock_ms() >= deadline) {
                refused[nref++] = want[i];
            } else {
                prev[k] = pttl[i];
                want[k++] = want[i];
            }
        }
        /* The ones granted stay granted (lease renewal re-claims them). */
        nwant = k;
        if (nwant > 0) {
            struct timespec ts = { 0, CLAIM_STEP_MS * 1000000L };
            nanosleep(&ts, NULL); /* before the loop starts */
        }
    }
    /* Refused in the order their holders renewed: sort them for the
     * message and for the callers, who merge them with the sorted ids. */
    if (nref > 0) {
        qsort(refused, (size_t)nref, sizeof *refused, cmp_int);
        dbot__coord_log_refused(refused, nref, holder);
    }
    /* Leases this process keeps: the ids minus the refused. */
    for (int i = 0, r = 0; i < n; i++) {
        while (r < nref && refused[r] < ids[i])
            r++;
        if (r < nref && refused[r] == ids[i])
            continue;
        c->sh[c->nsh++].id = ids[i];
    }
    if (c->rc) {
        c->up = c->ever_up = 1;
        /* Identify windows of a previous run of this process, or of the
         * process these shards came from, may still be open in Redis: the
         * slot script sees them, nothing to wait for here. */
    }
    if (pthread_create(&c->th, NULL, dbot__coord_main, c) != 0) {
        rc = DBOT_EAGAIN;
        goto out;
    }
    c->th_started = 1;
    rc = nref;
out:
    free(pttl);
    free(prev);
    free(want);
    return rc;
}

static struct coord_shard *
shard_of(struct dbot__coord *c, int shard_id)
{
    for (int i = 0; i < c->nsh; i++)
        if (c->sh[i].id == shard_id)
            return &c->sh[i];
    return NULL;
}

static void
wake_thread(struct dbot__coord *c)
{
    c->work = 1;
    pthread_cond_signal(&c->cv);
}

int64_t
dbot__coord_identify_wait(struct dbot__coord *c, int shard_id)
{
    int64_t now = dbot__clock_ms(), wait;
    struct coord_shard *s;

    pthread_mutex_lock(&c->mu);
    s = shard_of(c, shard_id);
    if (s && s->lease == LEASE_REFUSED) {
        pthread_mutex_unlock(&c->mu);
        return DBOT__COORD_REFUSED;
    }
    if (!s || !c->up) {
        if (s)
            s->ident = IDENT_IDLE;
        pthread_mutex_unlock(&c->mu);
        return DBOT__COORD_LOCAL;
    }
    if (s->lease == LEASE_PENDING) {
        wait = 50; /* the thread is leasing it */
    } else if (s->ident == IDENT_GRANTED) {
        s->ident = IDENT_IDLE;
        wait = 0;
    } else if (now < s->next_try) {
        wait = s->next_try - now;
    } else {
        if (s->ident != IDENT_ASKED) {
            s->ident = IDENT_ASKED;
            wake_thread(c);
        }
        wait = 5; /* a round trip; asked again then */
    }
    pthread_mutex_unlock(&c->mu);
    return wait;
}

void
dbot__coord_identify_sent(struct dbot__coord *c, int shard_id)
{
    struct coord_shard *s;

    pthread_mutex_lock(&c->mu);
    s = shard_of(c, shard_id);
    if (s) {
        s->sent = 1;
        wake_thread(c);
    }
    pthread_mutex_unlock(&c->mu);
}

int
dbot__coord_shards_room(struct dbot__coord *c, int n)
{
    struct coord_shard *v;
    int cap;

    if (c->nsh + n + 1 <= c->capsh)
        return 0;
    cap = (c->nsh + n + 1) * 2;
    v = realloc(c->sh, (size_t)cap * sizeof *v);
    if (!v)
        return -1;
    memset(v + c->capsh, 0, (size_t)(cap - c->capsh) * sizeof *v);
    c->sh = v;
    c->capsh = cap;
    return 0;
}

int
dbot__coord_add_shards(struct dbot__coord *c, int first, int n)
{
    int64_t now = dbot__clock_ms();
    int rc = 0;

    pthread_mutex_lock(&c->mu);
    if (dbot__coord_shards_room(c, n) < 0) {
        rc = DBOT_ENOMEM;
    } else {
        for (int i = 0; i < n; i++) {
            struct coord_shard *s;

            if (shard_of(c, first + i))
                continue;
            s = &c->sh[c->nsh++];
            memset(s, 0, sizeof *s);
            s->id = first + i;
            /* Redis away: granted, as the claim grants; the renewals
             * take the lease once it is back. */
            s->lease = c->up ? LEASE_PENDING : LEASE_HELD;
            s->lease_prev = -1;
            s->lease_until = now + COORD_LEASE_MS + 2000;
        }
        wake_thread(c);
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int
dbot__coord_refused(struct dbot__coord *c, int shard_id)
{
    struct coord_shard *s;
    int r;

    pthread_mutex_lock(&c->mu);
    s = shard_of(c, shard_id);
    r = s && s->lease == LEASE_REFUSED;
    pthread_mutex_unlock(&c->mu);
    return r;
}

/* A number from the network, bounded before it becomes an integer. */
static int64_t
bounded(double v, double max)
{
    return v >= max ? (int64_t)max : (int64_t)v;
}

void
dbot__coord_session_budget(struct dbot__coord *c, double remaining,
                           double total, double reset_after_ms)
{
    int64_t rem, tot;

    if (!(remaining >= 0) || !(reset_after_ms >= 0)) /* NaN too */
        return;
    rem = bounded(remaining, COORD_BUDGET_MAX);
    tot = total >= 0 ? bounded(total, COORD_BUDGET_MAX) : rem;
    pthread_mutex_lock(&c->mu);
    c->budget_rem = rem;
    c->budget_total = tot >= rem ? tot : rem;
    c->budget_after = bounded(reset_after_ms, 7 * 86400000.0);
    c->budget_seen_at = dbot__clock_ms();
    c->budget_dirty = 1;
    wake_thread(c);
    pthread_mutex_unlock(&c->mu);
}

void
dbot__coord_set_concurrency(struct dbot__coord *c, int max_concurrency)
{
    pthread_mutex_lock(&c->mu);
    if (max_concurrency >= 1 && max_concurrency != c->mc) {
        c->mc = max_concurrency;
        c->mc_dirty = 1;
        wake_thread(c);
    }
    pthread_mutex_unlock(&c->mu);
}

/* Under mu: slot `id` counts one window from now (its response came, or
 * it lapsed unused). Dropped when the queue is full: it then counts until
 * COORD_SLOT_HOLD_MS, which errs on the safe side. */
static void
rescore_push(struct dbot__coord *c, uint64_t id)
{
    if (c->nrescore < COORD_RESCORE_MAX)
        c->rescore[c->nrescore++] = id;
}

void
dbot__coord_lapse_slots(struct dbot__coord *c)
{
    while (c->tok_next < c->tok_end)
        rescore_push(c, c->tok_next++);
}

int
dbot__coord_global_take(void *coord, int64_t now_ms, int64_t *wake_ms)
{
    struct dbot__coord *c = coord;
    int rc;

    pthread_mutex_lock(&c->mu);
    if (!c->up) {
        rc = -(c->processes > 0 ? c->processes : 1);
    } else if (c->tok_next < c->tok_end && dbot__clock_ms() < c->tokens_until) {
        uint64_t id = c->tok_next++;

        if (c->ninflight == COORD_INFLIGHT_MAX) { /* oldest: held 5 s */
            c->inflight_head = (c->inflight_head + 1) % COORD_INFLIGHT_MAX;
            c->ninflight--;
        }
        c->inflight[(c->inflight_head + c->ninflight++) % COORD_INFLIGHT_MAX] =
            id;
        c->taken++;
        rc = 1;
    } else if (dbot__clock_ms() < c->full_until) {
        *wake_ms = now_ms + (c->full_until - dbot__clock_ms());
        rc = 0;
    } else {
        dbot__coord_lapse_slots(c);
        c->demand++;
        wake_thread(c);
        /* The thread fetches meanwhile and wakes the caller; the timer is
         * the fallback. */
        *wake_ms = now_ms + (c->waker ? 50 : 2);
        rc = 0;
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}

/* Under mu: the entry of bucket `key`, a free or idle one taken over for
 * it, or NULL when every entry is busy with an ask. */
static struct coord_bucket *
bucket_entry(struct dbot__coord *c, const char *key, int64_t now)
{
    struct coord_bucket *victim = NULL;

    for (int i = 0; i < COORD_BUCKETS; i++) {
        struct coord_bucket *b = &c->buckets[i];
        if (strcmp(b->key, key) == 0)
            return b;
        if (b->ask == ASK_IDLE && b->until <= now &&
            (!victim || b->last_used < victim->last_used))
            victim = b;
    }
    if (victim) {
        snprintf(victim->key, sizeof victim->key, "%s", key);
        victim->ask = ASK_IDLE;
        victim->until = 0;
    }
    return victim;
}

static int
bucket_key(char *key, const char *hash, const char *top)
{
    return (size_t)snprintf(key, COORD_BUCKET_KEY, "%s:%s", hash, top) <
                   COORD_BUCKET_KEY
               ? 0
               : -1;
}

static int
bucket_take(void *ud, const char *hash, const char *top, int limit,
            int64_t now_ms, int64_t *wake_ms)
{
    struct dbot__coord *c = ud;
    struct coord_bucket *b;
    char key[COORD_BUCKET_KEY];
    int64_t now = dbot__clock_ms();
    int rc;

    if (bucket_key(key, hash, top) < 0)
        return -1;
    pthread_mutex_lock(&c->mu);
    b = c->up ? bucket_entry(c, key, now) : NULL;
    if (!b) {
        rc = -1; /* Redis away, or too many asks at once: local state */
    } else if (b->ask == ASK_GRANTED) {
        b->ask = ASK_IDLE;
        rc = 1;
    } else if (b->until > now) {
        *wake_ms = now_ms + (b->until - now);
        rc = 0;
    } else {
        if (b->ask != ASK_ASKED) {
            b->ask = ASK_ASKED;
            b->limit = limit;
            wake_thread(c);
        }
        *wake_ms = now_ms + (c->waker ? 50 : 2);
        rc = 0;
    }
    if (b)
        b->last_used = now;
    pthread_mutex_unlock(&c->mu);
    return rc;
}

static void
bucket_seen(void *ud, const char *hash, const char *top, int limit,
            int remaining, int64_t reset_after_ms)
{
    struct dbot__coord *c = ud;
    struct coord_seen *s;

    pthread_mutex_lock(&c->mu);
    if (c->up && c->nseen < COORD_SEEN_MAX) {
        s = &c->seen[c->nseen];
        if (bucket_key(s->key, hash, top) == 0) {
            s->limit = limit;
            s->remaining = remaining;
            s->reset_after = reset_after_ms;
            c->nseen++;
            wake_thread(c);
        }
    }
    pthread_mutex_unlock(&c->mu);
}

/* A non-exempt response came: the oldest slot in flight now counts one
 * window from here. Responses come back in any order; the count of slots
 * in flight is what matters, not which. */
static void
global_done(void *ud)
{
    struct dbot__coord *c = ud;

    pthread_mutex_lock(&c->mu);
    if (c->ninflight > 0) {
        rescore_push(c, c->inflight[c->inflight_head]);
        c->inflight_head = (c->inflight_head + 1) % COORD_INFLIGHT_MAX;
        c->ninflight--;
        wake_thread(c);
    }
    pthread_mutex_unlock(&c->mu);
}

static void
invalid_seen(void *ud)
{
    struct dbot__coord *c = ud;

    pthread_mutex_lock(&c->mu);
    c->invalid_pending++;
    wake_thread(c);
    pthread_mutex_unlock(&c->mu);
}

void
dbot__coord_rl_hooks(struct dbot__coord *c, struct dbot__rl_shared *out)
{
    memset(out, 0, sizeof *out);
    out->ud = c;
    out->global = dbot__coord_global_take;
    out->global_done = global_done;
    out->bucket = bucket_take;
    out->bucket_seen = bucket_seen;
    out->invalid = invalid_seen;
}

void
dbot__coord_set_waker(struct dbot__coord *c, void (*fn)(void *ud), void *ud)
{
    pthread_mutex_lock(&c->mu);
    c->waker = fn;
    c->waker_ud = ud;
    pthread_mutex_unlock(&c->mu);
}

int
dbot__coord_processes(const struct dbot__coord *c)
{
    struct dbot__coord *m = (struct dbot__coord *)c; /* the lock only */
    int n;

    pthread_mutex_lock(&m->mu);
    n = m->processes > 0 ? m->processes : 1;
    pthread_mutex_unlock(&m->mu);
    return n;
}

void
dbot__coord_stats(const struct dbot__coord *c, struct dbot__coord_stats *out)
{
    struct dbot__coord *m = (struct dbot__coord *)c; /* the lock only */

    pthread_mutex_lock(&m->mu);
    *out = m->st;
    out->up = m->up;
    out->processes = m->processes;
    pthread_mutex_unlock(&m->mu);
}

static void
release_leases(struct dbot__coord *c)
{
    static const char release[] =
        "for i, k in ipairs(KEYS) do "
        "if redis.call('GET', k) == ARGV[1] then redis.call('DEL', k) end "
        "end "
        "redis.call('ZREM', ARGV[2], ARGV[1]) return 0";
    const char **argv;
    char(*keys)[96];
    char procs[80];
    redisReply *r;

    if (!c->rc)
        return; /* the leases run out by themselves */
    argv = calloc((size_t)c->nsh + 2, sizeof *argv);
    keys = calloc((size_t)c->nsh + 1, sizeof *keys);
    if (argv && keys) {
        int n = 0;

        /* Only the held ones: a refused shard's key is another's. */
        for (int i = 0; i < c->nsh; i++) {
            if (c->sh[i].lease != LEASE_HELD)
                continue;
            snprintf(keys[n], sizeof keys[n], "%s:shard:%d", c->ns,
                     c->sh[i].id);
            argv[n] = keys[n];
            n++;
        }
        snprintf(procs, sizeof procs, "%s:processes", c->ns);
        argv[n] = c->owner;
        argv[n + 1] = procs;
        r = dbot__coord_eval(c, release, n, argv, n + 2);
        if (r && n)
            LOG_I("coord", "released the leases of %d shards", n);
        if (r)
            freeReplyObject(r);
    }
    free(argv);
    free(keys);
}

void
dbot__coord_free(struct dbot__coord *c)
{
    if (!c)
        return;
    if (c->th_started) {
        pthread_mutex_lock(&c->mu);
        c->quit = 1;
        pthread_cond_signal(&c->cv);
        pthread_mutex_unlock(&c->mu);
        pthread_join(c->th, NULL);
    }
    /* The thread has ended: the context is ours again. */
    release_leases(c);
    if (c->rc)
        redisFree(c->rc);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
    free(c->sh);
    explicit_bzero(c->addr.password, sizeof c->addr.password);
    free(c);
}
