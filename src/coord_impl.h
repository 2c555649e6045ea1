/*
 * coord_impl.h: the state coord.c (callers' side) and coord_thread.c (the
 * Redis side) share. Everything below `mu` is read and written under it;
 * the Redis context belongs to the coordination thread alone once
 * dbot__coord_claim has started it.
 */
#ifndef DBOT_SRC_COORD_IMPL_H
#define DBOT_SRC_COORD_IMPL_H

#include "coord.h"
#include "redis_url.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdint.h>

/* A shard lease outlives two missed renewals. */
#define COORD_LEASE_MS 15000
#define COORD_RENEW_MS 5000
/* An identify slot granted but not yet sent: a holder that dies frees
 * the bucket after this. */
#define COORD_IDENT_LEASE_MS 10000
/* After the Identify left: Discord's 5 s plus a margin. */
#define COORD_IDENT_HOLD_MS 5100
/* Connect and command timeout, and the pause between reconnects. */
#define COORD_TIMEOUT_MS 250
#define COORD_RETRY_MS   1000
/* The shared global window: a slot counts from its fetch until 1 s plus
 * a margin (clocks) after its response, as the local limit counts it. */
#define COORD_GLOBAL_WIN_MS 1100
/* A slot whose response never came (its process died) counts this long. */
#define COORD_SLOT_HOLD_MS 5000
/* A fetched global slot is used by then, or lapses. */
#define COORD_TOKEN_TTL_MS 50
/* At most this many global slots fetched at once. */
#define COORD_TOKEN_BATCH 8
/* Slots taken and awaiting their response; slots to re-time in Redis. */
#define COORD_INFLIGHT_MAX 256
#define COORD_RESCORE_MAX  256

enum coord_ident {
    IDENT_IDLE,    /* nothing asked */
    IDENT_ASKED,   /* the thread is to ask Redis */
    IDENT_GRANTED, /* the slot is ours: the next identify_wait says 0 */
};

#define COORD_BUCKETS    64  /* route buckets asked about at once */
#define COORD_SEEN_MAX   128 /* bucket reports waiting for the thread */
#define COORD_BUCKET_KEY 200 /* "hash:top" */
/* Shared invalid responses in 10 minutes above which every process slows
 * down (Discord bans at 10,000): the global limit becomes a fifth, then
 * one per second. */
#define COORD_INVALID_SLOW  5000
#define COORD_INVALID_CRAWL 8000

enum coord_ask {
    ASK_IDLE,    /* nothing asked; `until` may hold a known wait */
    ASK_ASKED,   /* the thread is to ask Redis */
    ASK_GRANTED, /* one slot is this process's */
};

struct coord_bucket {
    char key[COORD_BUCKET_KEY]; /* "" for a free entry */
    int limit;
    enum coord_ask ask;
    int64_t until;     /* empty until about then */
    int64_t last_used; /* for eviction */
};

struct coord_seen {
    char key[COORD_BUCKET_KEY];
    int limit, remaining;
    int64_t reset_after;
};

/* A shard's lease: claimed before the loop (held or left out), or added
 * later by auto sharding and asked for by the thread. */
enum coord_lease {
    LEASE_HELD,    /* ours: renewed */
    LEASE_PENDING, /* added: the thread is to lease it */
    LEASE_REFUSED, /* another live process holds it */
};

/* How often a waiting shard asks again whether the spent budget reset. */
#define COORD_BUDGET_POLL_MS 5000
/* Above any real session-start budget (Discord's largest are in the
 * millions); a bigger number from the network is capped here. */
#define COORD_BUDGET_MAX 1000000000.0
/* The session budget's key outlives its reset by this (see coord.h). */
#define COORD_BUDGET_KEEP_MS 86400000

struct coord_shard {
    int id;
    enum coord_lease lease;
    int64_t lease_prev;  /* PENDING: the holder's pttl seen last, or -1 */
    int64_t lease_next;  /* PENDING: ask again then */
    int64_t lease_until; /* PENDING: refuse after this */
    enum coord_ident ident;
    int64_t next_try; /* the bucket is taken until about then */
    int sent;         /* an Identify left: the thread moves the hold */
};

struct dbot__coord {
    struct dbot__redis_addr addr;
    char ns[48];     /* "dbot:<app id>" */
    char owner[128]; /* "host:pid:random": whose lease it is */
    int per_sec;

    redisContext *rc;  /* the thread's (the claim's before it starts) */
    uint64_t slot_seq; /* names this process's global slots (thread) */
    pthread_t th;
    int th_started;

    pthread_mutex_t mu;
    pthread_cond_t cv; /* work for the thread, or quit */
    int quit;
    int work; /* something to do before the next tick */
    struct coord_shard *sh;
    int nsh, capsh;
    int mc, mc_dirty; /* max_concurrency to publish */
    int up;           /* Redis answered the last command */
    int ever_up;
    int down_logged;            /* this outage was logged */
    int64_t grace_until;        /* after a reconnect: see coord_thread.c */
    uint64_t tok_next, tok_end; /* fetched global slots [next, end), by
                                   member number (owner:number) */
    int64_t tokens_until;       /* they lapse after this */
    uint64_t inflight[COORD_INFLIGHT_MAX]; /* taken, oldest first */
    int inflight_head, ninflight;
    uint64_t rescore[COORD_RESCORE_MAX]; /* answered or lapsed: they count
                                            one window from now */
    int nrescore;
    int64_t full_until;      /* the shared window is full until then */
    void (*waker)(void *ud); /* the REST thread's wake, or NULL */
    void *waker_ud;
    uint64_t taken;          /* global slots used, ever */
    uint64_t taken_at_fetch; /* `taken` at the last fetch (thread) */
    int64_t last_fetch;      /* when (thread) */
    int demand;              /* takes that found none since the last fetch */
    int processes;
    struct coord_bucket buckets[COORD_BUCKETS];
    struct coord_seen seen[COORD_SEEN_MAX];
    int nseen;
    int invalid_pending; /* invalid responses not yet counted in Redis */
    int slow_level;      /* 0, 1 (COORD_INVALID_SLOW), 2 (_CRAWL) */
    /* The session budget: an observation to publish (budget_dirty), and
     * the last one Redis answered, republished after a reconnect. */
    int budget_dirty;
    int64_t budget_rem, budget_total, budget_after, budget_seen_at;
    int64_t budget_left;     /* last known shared budget, -1 unknown */
    int64_t budget_reset_at; /* when it resets (dbot__clock_ms) */
    int budget_logged;       /* this exhaustion was logged */
    struct dbot__coord_stats st;
};

/* Under mu: fetched global slots not used are given back to the window
 * (coord.c). */
void dbot__coord_lapse_slots(struct dbot__coord *c);

/* The thread's body (coord_thread.c). */
void *dbot__coord_main(void *arg);

/* Connect, AUTH, SELECT with COORD_TIMEOUT_MS (thread, or the claim
 * before the thread starts). Returns 0 or -1 (logged at debug). */
int dbot__coord_connect(struct dbot__coord *c);

/* Redis is gone: drop the context, say so once per outage. Under no lock;
 * takes mu. */
void dbot__coord_lost(struct dbot__coord *c, const char *why);

/* One EVAL of `script` with keys and args (strings). NULL on any failure
 * (then the context is dropped unless the reply was a script error). */
redisReply *dbot__coord_eval(struct dbot__coord *c, const char *script,
                             int nkeys, const char **argv, int argc);

/* The shard-lease script: claim or renew keys for c->owner. Returns the
 * reply (array of conflicts: index, holder, pttl ...) or NULL. */
redisReply *dbot__coord_lease(struct dbot__coord *c, const int *ids, int n);

/* Log shards ids[0..n) (sorted) refused: `holder` runs them. */
void dbot__coord_log_refused(const int *ids, int n, const char *holder);

/* Under mu: room for `n` more shards in c->sh. 0 or -1. */
int dbot__coord_shards_room(struct dbot__coord *c, int n);

#endif
