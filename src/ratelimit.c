/*
 * ratelimit.c: Discord REST rate limits, as a pure state machine.
 *
 * DESIGN
 *
 * Keys. A request's route key is METHOD + the path template with minor ids
 * wildcarded: "PATCH /channels/{id}/messages/{*}". Its top id is the major
 * parameter Discord keys buckets by: "channels:ID", "guilds:ID",
 * "webhooks:ID[:TOKENHASH]" or "interactions:ID:TOKENHASH". Only the first
 * path segment can introduce a major parameter (as discord.js does); a
 * token is never stored, only its 64-bit FNV-1a hash, so keys are safe to
 * log and the limiter holds no secrets.
 *
 * Three maps.
 *   lanes   (route key, top id) -> FIFO of requests.  One request of a lane
 *           is in flight at a time, so a lane never reorders and an unknown
 *           route is probed by one request; requests to different channels,
 *           guilds or interactions run in parallel.
 *   buckets (bucket hash, top id) -> {remaining, limit, reset deadline}.
 *           Several lanes (routes sharing a hash) point at one bucket.
 *   routes  route key -> bucket hash, learned from X-RateLimit-Bucket.
 * A lane whose route hash is not known yet keeps its own state; once a
 * response names the hash, the lane is attached to the shared bucket.
 *
 * Discovery. A route whose bucket is unknown may share a bucket with any
 * route of the same top id, so its first request (the probe) goes out only
 * when nothing else of that top id is in flight, and nothing else of that
 * top id goes out while the probe is. A bucket whose window no response
 * has described yet (a known route on a new channel) allows one request
 * at a time. Routes answered without rate-limit headers stop probing.
 *
 * Sending (dbot__rl_take). A lane is "ready" when its queue is non-empty
 * and nothing of it is in flight; ready lanes sit on one of two lists:
 * interaction callbacks (served first: an acknowledgement never waits
 * behind another route or another interaction) and the rest (FIFO by the
 * time they became ready). The head request of a ready lane is sent when:
 *   - its own retry time (not_before) has passed;
 *   - its bucket has remaining > 0, or its reset deadline has passed (the
 *     bucket is then refilled to its limit and the deadline becomes
 *     unknown until the next response), or the bucket is unknown;
 *   - the route is exempt, or there is no global 429 pause and fewer than
 *     N non-exempt requests are in flight or were answered in the last
 *     second (a request counts from its send until a second after its
 *     response, which bounds what the server saw in any second without
 *     guessing network delay).
 * Sending decrements remaining at once. Responses then only lower it
 * (min of ours and the header's) while the window is current, so a stale
 * header from a response that overtook another never refills a bucket:
 * our own decrement is trusted. The reset deadline is now +
 * X-RateLimit-Reset-After (immune to clock skew), never moved earlier.
 *
 * Bounds. Every wait a response asks for (X-RateLimit-Reset-After, the
 * 429's retry_after or Retry-After) goes through dbot__rl_wait_ms: NaN and
 * negative values count as absent, everything else is clamped to
 * DBOT__RL_MAX_WAIT_MS before it becomes an integer, so no header can
 * overflow a conversion or park a bucket for years.
 *
 * 429. The bucket (scope user or shared) or everything non-exempt (global:
 * true or scope global) is paused for retry_after from the body; the
 * caller requeues the request at the head of its lane after retry_after
 * plus jitter (0..min(50 + retry_after/10, 500) ms), so queued requests do
 * not stampede at the reset.
 *
 * Deadlines. A request may carry one (the caller's). dbot__rl_expire
 * hands back every queued request whose deadline has passed or whose lane
 * is held past it by a known time (bucket reset, 429 retry, global pause),
 * so no request sits out a wait it cannot survive; the caller fails it.
 *
 * Exempt routes: interaction callbacks and everything under
 * /webhooks/{id}/{token} and /interactions/ (followups, @original edits)
 * ignore the global limit and the global pause, as Discord documents.
 *
 * Memory. Nothing grows with traffic: idle lanes, buckets and route
 * mappings are evicted after 15 minutes without use, and anything keyed by
 * a token 15 minutes after it was created (the token is dead by then), or
 * a minute after its last use once no window of it is open.
 *
 * Invalid requests. 401, 403 and 429 (except scope shared) are counted in
 * 600 one-second slots; crossing 1000, 5000 and 9000 in 10 minutes is
 * logged loudly (Discord bans the IP at 10,000).
 */
#include "ratelimit.h"
#include "rand.h"

#include "log.h"
#include "strmap.h"

#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX       DBOT__RL_KEY_MAX
#define TOP_MAX       DBOT__RL_TOP_MAX
#define INVALID_SLOTS 600

/* ---- state ------------------------------------------------------------ */

/* What is known of one rate-limit window. remaining < 0: unknown (no
 * response seen yet); reset_at 0: deadline unknown. */
struct state {
    int remaining;
    int limit;
    int64_t reset_at;
};

struct bucket {
    struct dbot__strmap_node n; /* key "hash top" */
    struct state st;
    char *hash;
    unsigned flags; /* DBOT__RL_TOKEN */
    int refs;       /* lanes attached */
    int inflight;   /* requests sent against it, not completed */
    int64_t created, last_used;
};

struct route {
    struct dbot__strmap_node n; /* key: route key */
    char *hash;
    int64_t last_used;
};

struct dbot__rl_lane {
    struct dbot__strmap_node n; /* key "route top" */
    char route[KEY_MAX];
    char top[TOP_MAX];
    unsigned flags;
    struct bucket *b;   /* NULL until the hash is known */
    struct state local; /* used while b is NULL */
    struct dbot__rl_req *head, *tail;
    int inflight; /* 0 or 1 */
    int64_t created, last_used;
    struct dbot__rl_lane *rnext, *rprev; /* ready list link */
    bool ready;
    bool probed;       /* answered without a bucket: no limit seen */
    bool sent_unknown; /* the request in flight went out as a probe */
};

/* Requests in flight per top id, and how many of them probe a route whose
 * bucket is unknown. An entry exists only while inflight > 0. */
struct topc {
    struct dbot__strmap_node n; /* key: top id */
    int inflight;
    int unknown;
};

struct ready_list {
    struct dbot__rl_lane *head, *tail;
};

struct dbot__rl {
    struct dbot__strmap lanes, buckets, routes, tops;
    struct ready_list ready_ix, ready;
    int per_sec;
    /* Global limit: non-exempt requests in flight, and a FIFO ring of the
     * times their responses arrived (nondecreasing), newest last. */
    int g_inflight;
    int64_t *done_at;
    size_t done_cap, done_head, done_n;
    int64_t global_until;
    struct dbot__rl_shared sh; /* limits shared with other processes */
    uint64_t rng;
    size_t queued, inflight;
    int64_t inv_sec[INVALID_SLOTS];
    int inv_cnt[INVALID_SLOTS];
};

/* ---- bounds ----------------------------------------------------------- */

int64_t
dbot__rl_wait_ms(double s)
{
    double ms;

    if (!(s >= 0)) /* negative or NaN */
        return -1;
    /* Compared as doubles before any conversion: casting a double beyond
     * int64_t's range is undefined behaviour. */
    ms = s * 1000.0;
    if (!(ms < (double)DBOT__RL_MAX_WAIT_MS))
        return DBOT__RL_MAX_WAIT_MS;
    /* Rounded up, but a product like 1.9 * 1000 = 1900.0000000000002 must
     * not become 1901. */
    return (int64_t)(ms + 0.999);
}

double
dbot__rl_parse_seconds(const char *s, size_t n)
{
    /* Past this the value is clamped anyway; stop growing it so that a
     * thousand digits never reach infinity. */
    const double sat = 1e15;
    double v = 0, scale = 0.1;
    size_t i = 0;
    bool any = false;

    while (i < n && s[i] >= '0' && s[i] <= '9') {
        if (v < sat)
            v = v * 10 + (s[i] - '0');
        i++;
        any = true;
    }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            v += (s[i++] - '0') * scale;
            scale /= 10;
            any = true;
        }
    }
    return any && i == n ? v : -1;
}

/* ---- lifecycle -------------------------------------------------------- */

struct dbot__rl *
dbot__rl_new(int global_per_sec, uint64_t seed)
{
    struct dbot__rl *rl = calloc(1, sizeof *rl);

    if (!rl)
        return NULL;
    rl->per_sec = global_per_sec > 0 ? global_per_sec : 50;
    rl->done_cap = 2 * (size_t)rl->per_sec;
    rl->done_at = calloc(rl->done_cap, sizeof *rl->done_at);
    if (!rl->done_at) {
        free(rl);
        return NULL;
    }
    rl->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
    return rl;
}

static void
map_free_all(struct dbot__strmap *m, size_t off_hash)
{
    for (size_t i = 0; i < m->cap; i++) {
        struct dbot__strmap_node *n = m->tab[i], *next;
        for (; n; n = next) {
            next = n->next;
            free(n->key);
            if (off_hash != (size_t)-1)
                free(*(char **)((char *)n + off_hash));
            free(n);
        }
    }
    free(m->tab);
}

void
dbot__rl_free(struct dbot__rl *rl)
{
    if (!rl)
        return;
    map_free_all(&rl->lanes, (size_t)-1);
    map_free_all(&rl->buckets, offsetof(struct bucket, hash));
    map_free_all(&rl->routes, offsetof(struct route, hash));
    map_free_all(&rl->tops, (size_t)-1);
    free(rl->done_at);
    free(rl);
}

/* ---- ready lists ------------------------------------------------------ */

static struct ready_list *
list_of(struct dbot__rl *rl, const struct dbot__rl_lane *l)
{
    return (l->flags & DBOT__RL_INTERACTION) ? &rl->ready_ix : &rl->ready;
}

static void
ready_add(struct dbot__rl *rl, struct dbot__rl_lane *l)
{
    struct ready_list *rlist = list_of(rl, l);

    if (l->ready || !l->head || l->inflight)
        return;
    l->ready = true;
    l->rnext = NULL;
    l->rprev = rlist->tail;
    if (rlist->tail)
        rlist->tail->rnext = l;
    else
        rlist->head = l;
    rlist->tail = l;
}

static void
ready_del(struct dbot__rl *rl, struct dbot__rl_lane *l)
{
    struct ready_list *rlist = list_of(rl, l);

    if (!l->ready)
        return;
    if (l->rprev)
        l->rprev->rnext = l->rnext;
    else
        rlist->head = l->rnext;
    if (l->rnext)
        l->rnext->rprev = l->rprev;
    else
        rlist->tail = l->rprev;
    l->ready = false;
    l->rnext = l->rprev = NULL;
}

/* ---- buckets and routes ----------------------------------------------- */

static struct bucket *
bucket_get(struct dbot__rl *rl, const char *hash, const char *top,
           unsigned flags, int64_t now)
{
    char key[KEY_MAX + TOP_MAX + 2];
    struct bucket *b;

    snprintf(key, sizeof key, "%s %s", hash, top);
    b = (struct bucket *)dbot__strmap_find(&rl->buckets, key);
    if (b)
        return b;
    b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->hash = strdup(hash);
    if (!b->hash || dbot__strmap_insert(&rl->buckets, &b->n, key) < 0) {
        free(b->hash);
        free(b);
        return NULL;
    }
    b->st.remaining = -1;
    b->st.limit = -1;
    b->flags = flags & (DBOT__RL_TOKEN | DBOT__RL_INTERACTION);
    b->created = b->last_used = now;
    return b;
}

static struct route *
route_get(const struct dbot__rl *rl, const char *route)
{
    return (struct route *)dbot__strmap_find(&rl->routes, route);
}

/* Remember route -> hash. Returns 0 or DBOT_ENOMEM. */
static int
route_learn(struct dbot__rl *rl, const char *route, const char *hash,
            int64_t now)
{
    struct route *r = route_get(rl, route);
    char *h;

    if (r && strcmp(r->hash, hash) == 0) {
        r->last_used = now;
        return 0;
    }
    h = strdup(hash);
    if (!h)
        return DBOT_ENOMEM;
    if (r) {
        /* Discord moved the route to another bucket. */
        free(r->hash);
        r->hash = h;
        r->last_used = now;
        return 0;
    }
    r = calloc(1, sizeof *r);
    if (!r || dbot__strmap_insert(&rl->routes, &r->n, route) < 0) {
        free(r);
        free(h);
        return DBOT_ENOMEM;
    }
    r->hash = h;
    r->last_used = now;
    return 0;
}

static void
lane_attach(struct dbot__rl_lane *l, struct bucket *b)
{
    if (l->b == b)
        return;
    if (l->b)
        l->b->refs--;
    l->b = b;
    if (b)
        b->refs++;
}

static struct state *
lane_state(struct dbot__rl_lane *l)
{
    return l->b ? &l->b->st : &l->local;
}

/* ---- submit / take ---------------------------------------------------- */

int
dbot__rl_submit(struct dbot__rl *rl, struct dbot__rl_req *q, const char *method,
                const char *path, int64_t now)
{
    char route[KEY_MAX], top[TOP_MAX];
    unsigned flags;
    int rc = dbot__rl_route_key_flags(method, path, route, sizeof route, top,
                                      sizeof top, &flags);

    if (rc < 0)
        return rc == DBOT_ETOOBIG ? DBOT_EINVAL : rc;
    return dbot__rl_submit_keyed(rl, q, route, top, flags, now);
}

int
dbot__rl_submit_keyed(struct dbot__rl *rl, struct dbot__rl_req *q,
                      const char *route, const char *top, unsigned flags,
                      int64_t now)
{
    char key[KEY_MAX + TOP_MAX + 2];
    struct dbot__rl_lane *l;

    if (strlen(route) >= KEY_MAX || strlen(top) >= TOP_MAX)
        return DBOT_EINVAL;
    snprintf(key, sizeof key, "%s %s", route, top);
    l = (struct dbot__rl_lane *)dbot__strmap_find(&rl->lanes, key);
    if (!l) {
        struct route *r = route_get(rl, route);

        l = calloc(1, sizeof *l);
        if (!l)
            return DBOT_ENOMEM;
        if (dbot__strmap_insert(&rl->lanes, &l->n, key) < 0) {
            free(l);
            return DBOT_ENOMEM;
        }
        memcpy(l->route, route, strlen(route) + 1);
        memcpy(l->top, top, strlen(top) + 1);
        l->flags = flags;
        l->local.remaining = -1;
        l->local.limit = -1;
        l->created = now;
        if (r) {
            r->last_used = now;
            lane_attach(l, bucket_get(rl, r->hash, top, flags, now));
        }
    }
    l->last_used = now;
    q->next = NULL;
    q->lane = l;
    q->not_before = 0;
    if (l->tail)
        l->tail->next = q;
    else
        l->head = q;
    l->tail = q;
    rl->queued++;
    ready_add(rl, l);
    return 0;
}

/* Earliest time the lane's head may go, INT64_MAX if only a response can
 * unblock it; <= now means now. */
static bool
lane_unknown(const struct dbot__rl_lane *l)
{
    return !l->b && !l->probed;
}

/* Discovery is serialised per top id: a route whose bucket is unknown may
 * share a bucket with any other route of the same top id, so its probe
 * goes alone, and nothing else of that top id goes while it is out. */
static bool
top_blocks(const struct dbot__rl *rl, const struct dbot__rl_lane *l)
{
    const struct topc *c =
        (const struct topc *)dbot__strmap_find(&rl->tops, l->top);

    if (!c)
        return false;
    return lane_unknown(l) ? c->inflight > 0 : c->unknown > 0;
}

static void
top_count(struct dbot__rl *rl, struct dbot__rl_lane *l, int delta)
{
    struct topc *c = (struct topc *)dbot__strmap_find(&rl->tops, l->top);

    if (delta > 0) {
        l->sent_unknown = lane_unknown(l);
        if (!c) {
            c = calloc(1, sizeof *c);
            if (!c || dbot__strmap_insert(&rl->tops, &c->n, l->top) < 0) {
                /* Out of memory: only the discovery ordering is lost. */
                free(c);
                return;
            }
        }
        c->inflight++;
        c->unknown += l->sent_unknown;
        return;
    }
    if (!c)
        return;
    c->inflight--;
    c->unknown -= l->sent_unknown;
    l->sent_unknown = false;
    if (c->inflight <= 0) {
        dbot__strmap_remove(&rl->tops, &c->n);
        free(c);
    }
}

/* lane_ready_at without the top id's check (a hash lookup): what the
 * lane's own state says. */
static int64_t
lane_ready_at_own(const struct dbot__rl *rl, struct dbot__rl_lane *l)
{
    const struct state *st = lane_state(l);
    int64_t t = l->head->not_before;

    /* A bucket whose window no response has described yet: one at a
     * time until one does. */
    if (l->b && st->remaining < 0 && l->b->inflight > 0)
        return INT64_MAX;

    if (!(l->flags & DBOT__RL_EXEMPT) && rl->global_until > t)
        t = rl->global_until;
    if (st->remaining == 0) {
        if (st->reset_at == 0) {
            /* Exhausted by our own sends in a window whose deadline no
             * response has told us yet; a response will. With nothing in
             * flight none will come, so probe with one request. */
            if (l->b && l->b->inflight > 0)
                return INT64_MAX;
        } else if (st->reset_at > t) {
            t = st->reset_at;
        }
    }
    return t;
}

static int64_t
lane_ready_at(const struct dbot__rl *rl, struct dbot__rl_lane *l)
{
    return top_blocks(rl, l) ? INT64_MAX : lane_ready_at_own(rl, l);
}

/* The global limit counts a request from the moment it is sent until one
 * window after its response arrived. The server counted it at some moment
 * in between, so whatever window the server uses, it never sees more than
 * N: this needs no guess about network delay, at the cost of one round
 * trip of throughput. */
static bool
global_full(struct dbot__rl *rl, int64_t now, int64_t *free_at)
{
    while (rl->done_n &&
           now - rl->done_at[rl->done_head] >= DBOT__RL_GLOBAL_WINDOW_MS) {
        rl->done_head = (rl->done_head + 1) % rl->done_cap;
        rl->done_n--;
    }
    if ((size_t)rl->g_inflight + rl->done_n < (size_t)rl->per_sec)
        return false;
    *free_at = rl->done_n
                   ? rl->done_at[rl->done_head] + DBOT__RL_GLOBAL_WINDOW_MS
                   : INT64_MAX; /* a response will free a slot */
    return true;
}

/* The shared global limit (other processes of the bot), after the local
 * one passed. Without Redis, this process keeps to its share. */
static bool
gate_pass(struct dbot__rl *rl, int64_t now, int64_t *free_at)
{
    int r;

    if (!rl->sh.global)
        return true;
    *free_at = now + 5;
    r = rl->sh.global(rl->sh.ud, now, free_at);
    if (r > 0)
        return true;
    if (r == 0)
        return false;
    if ((size_t)rl->g_inflight + rl->done_n <
        (size_t)(rl->per_sec / -r > 0 ? rl->per_sec / -r : 1))
        return true;
    *free_at = rl->done_n
                   ? rl->done_at[rl->done_head] + DBOT__RL_GLOBAL_WINDOW_MS
                   : INT64_MAX;
    return false;
}

/* The lane's bucket as the other processes used it. Lanes without a
 * learned bucket are probes: one at a time here, and the bucket is
 * shared once a response named it. */
static bool
bucket_pass(struct dbot__rl *rl, struct dbot__rl_lane *l, int64_t now,
            int64_t *free_at)
{
    /* A token-keyed bucket (an interaction's callback, a webhook token's
     * followups) belongs to the one process that got the interaction:
     * asking the others would only add a round trip to Redis to every
     * acknowledgement. */
    if (!rl->sh.bucket || !l->b || (l->flags & DBOT__RL_TOKEN))
        return true;
    *free_at = now + 5;
    return rl->sh.bucket(rl->sh.ud, l->b->hash, l->top, l->b->st.limit, now,
                         free_at) != 0;
}

void
dbot__rl_set_shared(struct dbot__rl *rl, const struct dbot__rl_shared *sh)
{
    if (sh)
        rl->sh = *sh;
    else
        memset(&rl->sh, 0, sizeof rl->sh);
}

static void
global_sent(struct dbot__rl *rl)
{
    rl->g_inflight++;
}

static void
global_done(struct dbot__rl *rl, int64_t now)
{
    if (rl->g_inflight > 0)
        rl->g_inflight--;
    if (rl->done_n == rl->done_cap) { /* cannot happen; stay bounded */
        rl->done_head = (rl->done_head + 1) % rl->done_cap;
        rl->done_n--;
    }
    rl->done_at[(rl->done_head + rl->done_n) % rl->done_cap] = now;
    rl->done_n++;
}

static void
consume(struct dbot__rl_lane *l, int64_t now)
{
    struct state *st = lane_state(l);

    if (st->reset_at && now >= st->reset_at) {
        /* The window is over: refill, deadline unknown until a response. */
        st->remaining = st->limit > 0 ? st->limit : -1;
        st->reset_at = 0;
    }
    if (st->remaining > 0)
        st->remaining--;
    if (l->b) {
        l->b->inflight++;
        l->b->last_used = now;
    }
}

size_t
dbot__rl_take_capped(struct dbot__rl *rl, int64_t now,
                     struct dbot__rl_req **out, size_t max, size_t max_ix,
                     size_t max_other, int64_t *wake_ms)
{
    struct ready_list *lists[2] = { &rl->ready_ix, &rl->ready };
    size_t caps[2] = { max_ix, max_other };
    int64_t wake = INT64_MAX;
    size_t n = 0;

    for (int i = 0; i < 2; i++) {
        struct dbot__rl_lane *l = lists[i]->head, *next;
        size_t taken = 0;

        for (; l; l = next) {
            int64_t t, free_at;
            struct dbot__rl_req *q;

            next = l->rnext;
            if (n == max) {
                wake = now; /* more may be ready: call again */
                break;
            }
            if (taken == caps[i])
                break; /* the caller's capacity; it calls again later */
            if (l->head->deadline && now >= l->head->deadline) {
                wake = now; /* dbot__rl_expire's to fail, not to send */
                continue;
            }
            t = lane_ready_at(rl, l);
            if (t > now) {
                if (t < wake)
                    wake = t;
                continue;
            }
            /* The bucket before the global limit: a slot taken from a
             * bucket and then not used only slows that bucket, one taken
             * from the global limit would slow everything. */
            if (!bucket_pass(rl, l, now, &free_at) ||
                (!(l->flags & DBOT__RL_EXEMPT) &&
                 (global_full(rl, now, &free_at) ||
                  !gate_pass(rl, now, &free_at)))) {
                if (free_at < wake)
                    wake = free_at;
                continue;
            }
            q = l->head;
            l->head = q->next;
            if (!l->head)
                l->tail = NULL;
            q->next = NULL;
            ready_del(rl, l);
            l->inflight = 1;
            l->last_used = now;
            top_count(rl, l, +1);
            consume(l, now);
            if (!(l->flags & DBOT__RL_EXEMPT))
                global_sent(rl);
            rl->queued--;
            rl->inflight++;
            out[n++] = q;
            taken++;
        }
    }
    if (wake_ms)
        *wake_ms = wake;
    return n;
}

size_t
dbot__rl_take(struct dbot__rl *rl, int64_t now, struct dbot__rl_req **out,
              size_t max, int64_t *wake_ms)
{
    return dbot__rl_take_capped(rl, now, out, max, max, max, wake_ms);
}

/* ---- responses -------------------------------------------------------- */

static void
invalid_count_add(struct dbot__rl *rl, int64_t now)
{
    static const int marks[] = { 1000, 5000, 9000 };
    int64_t sec = now / 1000;
    size_t slot = (size_t)(sec % INVALID_SLOTS);
    int total;

    if (rl->inv_sec[slot] != sec) {
        rl->inv_sec[slot] = sec;
        rl->inv_cnt[slot] = 0;
    }
    rl->inv_cnt[slot]++;
    total = dbot__rl_invalid_count(rl, now);
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (total == marks[i])
            dbot_log(i == 0 ? DBOT_LOG_WARN : DBOT_LOG_ERROR, "rest",
                     "%d invalid requests (401/403/429) in 10 minutes: "
                     "Discord bans the IP at 10000; check the token, "
                     "permissions and rate-limit handling",
                     total);
}

int
dbot__rl_invalid_count(const struct dbot__rl *rl, int64_t now)
{
    int64_t sec = now / 1000;
    int total = 0;

    for (size_t i = 0; i < INVALID_SLOTS; i++)
        if (rl->inv_cnt[i] && sec - rl->inv_sec[i] < INVALID_SLOTS &&
            rl->inv_sec[i] <= sec)
            total += rl->inv_cnt[i];
    return total;
}

static void
state_update(struct state *st, const struct dbot__rl_resp *r,
             int others_inflight, int64_t now)
{
    int64_t reset, after = dbot__rl_wait_ms(r->reset_after);
    int rem;

    if (r->remaining < 0 || after < 0) {
        /* No usable headers: never leave the window stuck at 0 with an
         * unknown deadline. */
        if (st->remaining == 0 && st->reset_at == 0)
            st->remaining = -1;
        return;
    }
    reset = now + after;
    if (r->limit > 0)
        st->limit = r->limit;
    rem = r->remaining;
    if (st->remaining < 0 || (st->reset_at && now >= st->reset_at)) {
        /* No current window of ours: the header describes it, minus what
         * we sent since that the server had not counted yet. */
        rem -= others_inflight;
        st->remaining = rem > 0 ? rem : 0;
        st->reset_at = reset;
    } else {
        if (rem < st->remaining)
            st->remaining = rem;
        if (reset > st->reset_at)
            st->reset_at = reset;
    }
}

/* The lane's request is no longer in flight; make the lane ready. */
static void
lane_release(struct dbot__rl *rl, struct dbot__rl_lane *l, int64_t now)
{
    if (l->inflight) {
        l->inflight = 0;
        rl->inflight--;
        top_count(rl, l, -1);
    }
    l->last_used = now;
    ready_add(rl, l);
}

int64_t
dbot__rl_complete(struct dbot__rl *rl, struct dbot__rl_req *q,
                  const struct dbot__rl_resp *r, int64_t now)
{
    struct dbot__rl_lane *l = q->lane;
    struct state *st;
    int64_t ra, jitter_max;

    if (l->b) {
        l->b->inflight--;
        l->b->last_used = now;
    }
    if (!(l->flags & DBOT__RL_EXEMPT)) {
        global_done(rl, now);
        if (rl->sh.global_done)
            rl->sh.global_done(rl->sh.ud);
    }
    if (r->status == 401 || r->status == 403 ||
        (r->status == 429 && !(r->scope && strcmp(r->scope, "shared") == 0))) {
        invalid_count_add(rl, now);
        if (rl->sh.invalid)
            rl->sh.invalid(rl->sh.ud);
    }
    if (r->bucket && r->bucket[0] && strlen(r->bucket) < KEY_MAX &&
        route_learn(rl, l->route, r->bucket, now) == 0) {
        struct bucket *b = bucket_get(rl, r->bucket, l->top, l->flags, now);

        if (b)
            lane_attach(l, b);
    } else if (r->status >= 200 && r->status < 500 && r->status != 429 && !l->b)
        l->probed = true; /* answered without rate-limit headers */
    st = lane_state(l);
    state_update(st, r, l->b ? l->b->inflight : 0, now);
    if (rl->sh.bucket_seen && l->b && !(l->flags & DBOT__RL_TOKEN) &&
        r->remaining >= 0 && dbot__rl_wait_ms(r->reset_after) >= 0)
        rl->sh.bucket_seen(rl->sh.ud, l->b->hash, l->top, r->limit,
                           r->remaining, dbot__rl_wait_ms(r->reset_after));
    if (r->status != 429) {
        lane_release(rl, l, now);
        return -1;
    }
    ra = dbot__rl_wait_ms(r->retry_after);
    if (ra < 0)
        ra = 1000; /* a 429 that says nothing: Discord's usual second */
    if (r->global || (r->scope && strcmp(r->scope, "global") == 0)) {
        if (now + ra > rl->global_until)
            rl->global_until = now + ra;
        dbot_log(DBOT_LOG_WARN, "rest",
                 "global rate limit hit on %s: pausing for %" PRId64 " ms",
                 l->route, ra);
    } else {
        st->remaining = 0;
        if (now + ra > st->reset_at)
            st->reset_at = now + ra;
        dbot_log(DBOT_LOG_WARN, "rest",
                 "429 on %s (%s, scope %s): retrying in %" PRId64 " ms",
                 l->route, l->top[0] ? l->top : "-", r->scope ? r->scope : "?",
                 ra);
    }
    jitter_max = 50 + ra / 10;
    if (jitter_max > 500)
        jitter_max = 500;
    return ra + (int64_t)dbot__rand_below(&rl->rng, (uint64_t)(jitter_max + 1));
}

void
dbot__rl_requeue(struct dbot__rl *rl, struct dbot__rl_req *q,
                 int64_t not_before)
{
    struct dbot__rl_lane *l = q->lane;

    q->not_before = not_before;
    q->next = l->head;
    l->head = q;
    if (!l->tail)
        l->tail = q;
    rl->queued++;
    if (l->inflight) {
        l->inflight = 0;
        rl->inflight--;
        top_count(rl, l, -1);
    }
    ready_add(rl, l);
}

void
dbot__rl_finish(struct dbot__rl *rl, struct dbot__rl_req *q, int64_t now)
{
    struct dbot__rl_lane *l = q->lane;

    lane_release(rl, l, now);
}

size_t
dbot__rl_expire(struct dbot__rl *rl, int64_t now, struct dbot__rl_req **out,
                size_t max)
{
    struct ready_list *lists[2] = { &rl->ready_ix, &rl->ready };
    size_t n = 0;

    for (int i = 0; i < 2; i++) {
        struct dbot__rl_lane *l = lists[i]->head, *next;

        for (; l && n < max; l = next) {
            next = l->rnext;
            /* Heads only: the lane is FIFO, and whatever holds the head
             * back holds the requests behind it too; they are looked at as
             * they come up, within this call. */
            while (l->head && n < max) {
                struct dbot__rl_req *q = l->head;
                int64_t t;

                if (!q->deadline)
                    break;
                /* Kept when sendable in time. The top id's check (a hash
                 * lookup) is only needed for a head that would otherwise
                 * go: this runs for every queued lane on every pass, and
                 * a burst of thousands of callbacks queues thousands. */
                t = lane_ready_at_own(rl, l);
                if (now < q->deadline &&
                    (t == INT64_MAX || t <= now || t < q->deadline))
                    break;
                if (now < q->deadline && top_blocks(rl, l))
                    break; /* blocked until a response: looked at then */
                l->head = q->next;
                if (!l->head)
                    l->tail = NULL;
                q->next = NULL;
                rl->queued--;
                out[n++] = q;
            }
            if (!l->head)
                ready_del(rl, l);
        }
    }
    return n;
}

struct dbot__rl_req *
dbot__rl_drain(struct dbot__rl *rl)
{
    struct ready_list *lists[2] = { &rl->ready_ix, &rl->ready };

    for (int i = 0; i < 2; i++) {
        struct dbot__rl_lane *l = lists[i]->head;

        if (l) {
            struct dbot__rl_req *q = l->head;

            l->head = q->next;
            if (!l->head) {
                l->tail = NULL;
                ready_del(rl, l);
            }
            rl->queued--;
            q->next = NULL;
            return q;
        }
    }
    /* Lanes with a request in flight are not on a ready list but may still
     * hold queued requests. */
    for (size_t i = 0; i < rl->lanes.cap; i++)
        for (struct dbot__strmap_node *n = rl->lanes.tab[i]; n; n = n->next) {
            struct dbot__rl_lane *l = (struct dbot__rl_lane *)n;

            if (l->head) {
                struct dbot__rl_req *q = l->head;

                l->head = q->next;
                if (!l->head)
                    l->tail = NULL;
                rl->queued--;
                q->next = NULL;
                return q;
            }
        }
    return NULL;
}

/* ---- eviction --------------------------------------------------------- */

/* Whether an idle lane or bucket may go. Token-keyed state (one
 * interaction's callback, followups and edits) dies with its token after
 * 15 minutes, and goes sooner, once idle for DBOT__RL_TOKEN_IDLE_TTL_MS
 * with no rate-limit window still open (`st`: the lane's own state while
 * its bucket is unknown, the bucket's, or NULL when the lane defers to a
 * bucket): what it knew is then what a new lane would learn again, and a
 * new lane is the cautious kind (one request at a time until a response
 * describes the bucket). Without this a bot answering 20 interactions a
 * second holds 18,000 dead lanes at any time. An interaction's callback
 * state goes at the first sweep once idle: an interaction has one initial
 * response, so nothing follows on that lane (a retry is queued on it and
 * keeps it); kept for the minute, a bot answering 1,000 a second held
 * 60,000 lanes and as many buckets (17 MB more resident after 30 s,
 * bench_ixcpu), all walked by every sweep. */
static bool
expired(unsigned flags, const struct state *st, int64_t created,
        int64_t last_used, int64_t now)
{
    if (flags & DBOT__RL_INTERACTION)
        return !st || st->reset_at <= now;
    if (flags & DBOT__RL_TOKEN) {
        if (now - created >= DBOT__RL_TOKEN_TTL_MS)
            return true;
        return now - last_used >= DBOT__RL_TOKEN_IDLE_TTL_MS &&
               (!st || st->reset_at <= now);
    }
    return now - last_used >= DBOT__RL_IDLE_TTL_MS;
}

void
dbot__rl_sweep(struct dbot__rl *rl, int64_t now)
{
    for (size_t i = 0; i < rl->lanes.cap; i++) {
        struct dbot__strmap_node *n = rl->lanes.tab[i], *next;
        for (; n; n = next) {
            struct dbot__rl_lane *l = (struct dbot__rl_lane *)n;

            next = n->next;
            if (l->head || l->inflight ||
                !expired(l->flags, l->b ? NULL : &l->local, l->created,
                         l->last_used, now))
                continue;
            lane_attach(l, NULL);
            dbot__strmap_remove(&rl->lanes, n);
            free(l);
        }
    }
    for (size_t i = 0; i < rl->buckets.cap; i++) {
        struct dbot__strmap_node *n = rl->buckets.tab[i], *next;
        for (; n; n = next) {
            struct bucket *b = (struct bucket *)n;

            next = n->next;
            if (b->refs || b->inflight || b->st.reset_at > now ||
                !expired(b->flags, &b->st, b->created, b->last_used, now))
                continue;
            dbot__strmap_remove(&rl->buckets, n);
            free(b->hash);
            free(b);
        }
    }
    for (size_t i = 0; i < rl->routes.cap; i++) {
        struct dbot__strmap_node *n = rl->routes.tab[i], *next;
        for (; n; n = next) {
            struct route *r = (struct route *)n;

            next = n->next;
            if (now - r->last_used < DBOT__RL_IDLE_TTL_MS)
                continue;
            dbot__strmap_remove(&rl->routes, n);
            free(r->hash);
            free(r);
        }
    }
    if (rl->global_until && rl->global_until <= now)
        rl->global_until = 0;
}

/* ---- introspection ---------------------------------------------------- */

void
dbot__rl_stats(const struct dbot__rl *rl, struct dbot__rl_stats *st)
{
    st->lanes = rl->lanes.n;
    st->buckets = rl->buckets.n;
    st->routes = rl->routes.n;
    st->queued = rl->queued;
    st->inflight = rl->inflight;
    st->global_until = rl->global_until;
}

const char *
dbot__rl_route_hash(const struct dbot__rl *rl, const char *route_key)
{
    const struct route *r = route_get(rl, route_key);

    return r ? r->hash : NULL;
}

int
dbot__rl_bucket_remaining(const struct dbot__rl *rl, const char *hash,
                          const char *top)
{
    char key[KEY_MAX + TOP_MAX + 2];
    const struct bucket *b;

    snprintf(key, sizeof key, "%s %s", hash, top);
    b = (const struct bucket *)dbot__strmap_find(&rl->buckets, key);
    return b ? b->st.remaining : -1;
}
