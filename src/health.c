/*
 * health.c: slow-handler log and loop watchdog.
 *
 * DESIGN. The loop keeps a private stack of enter records (kind, name, what,
 * start time) so pairs nest. Each enter, leave and tick is a "beat": the
 * loop stores the time in `beat_ns`. A gap between beats of stall_ms or
 * more is a stall; the loop measures every gap itself, so the stall
 * counters are exact and need no thread.
 *
 * Counters are measured after the fact; a user wants to know *while* the
 * loop is stuck, and where. The watchdog thread sleeps on a condvar until
 * the moment the current beat would be stall_ms old (so it wakes about once
 * per stall_ms, never spins), and if the beat has not moved it logs
 * "loop blocked for N ms in handler X (EVENT)", then again every repeat_ms,
 * and "loop recovered after N ms" once the beat moves. The loop signals the
 * condvar when it beats after a stall, so recovery is logged at once.
 *
 * The watchdog reads the innermost enter record while the loop may be
 * writing it. The record is published through a seqlock (`pub`): the loop
 * is the only writer and never waits for the reader; the reader retries
 * while the sequence is odd or changed. Strings are copied into the record
 * (the caller's `what` may be freed right after leave) as 64-bit words with
 * relaxed atomic stores, so the race the seqlock tolerates is between
 * atomics only and sanitizers stay quiet. The counters are atomics written
 * only by the loop; a snapshot may mix values from adjacent beats, which is
 * fine for metrics.
 */
#include "health.h"
#include "clock.h"

#include "log.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_DEPTH 16
#define STR_WORDS 8 /* 64 bytes per published string, NUL included */

struct frame {
    const char *kind, *name, *what; /* borrowed until leave */
    int64_t start_ns;
};

/* One published string: a NUL-terminated copy, truncated to 63 bytes. */
struct pstr {
    _Atomic uint64_t w[STR_WORDS];
};

/* The innermost record as the watchdog sees it. */
struct pub {
    atomic_uint seq; /* odd while the loop writes */
    atomic_int depth;
    _Atomic int64_t start_ns;
    struct pstr kind, name, what;
};

struct snap {
    int depth;
    int64_t start_ns;
    char kind[STR_WORDS * 8], name[STR_WORDS * 8], what[STR_WORDS * 8];
};

struct dbot__health {
    int slow_ms, stall_ms, repeat_ms; /* [const] after _new */

    /* Loop-only. */
    struct frame stack[MAX_DEPTH];
    int depth;    /* frames in use */
    int overflow; /* enters beyond MAX_DEPTH, not recorded */
    int64_t last_beat_ns;
    bool armed;

    /* Shared: atomics written by the loop. */
    struct pub pub;
    _Atomic int64_t beat_ns;     /* last beat; 0 when not armed */
    _Atomic int64_t last_gap_ns; /* the most recent stall gap */
    atomic_uint_fast64_t n_handlers, n_slow, n_stalls;
    _Atomic int64_t slowest_ns, longest_stall_ns;

    /* Watchdog. */
    pthread_mutex_t mu;
    pthread_cond_t cv; /* CLOCK_MONOTONIC */
    bool stop;         /* [mu] */
    bool running;      /* [loop] the thread exists */
    pthread_t thread;
};

#define now_ns dbot__clock_ns

static void
pstr_store(struct pstr *p, const char *s)
{
    uint64_t w[STR_WORDS] = { 0 };
    size_t n = s ? strnlen(s, sizeof w - 1) : 0;

    if (n)
        memcpy(w, s, n);
    for (int i = 0; i < STR_WORDS; i++)
        atomic_store_explicit(&p->w[i], w[i], memory_order_relaxed);
}

static void
pstr_load(const struct pstr *p, char *out)
{
    uint64_t w[STR_WORDS];

    for (int i = 0; i < STR_WORDS; i++)
        w[i] = atomic_load_explicit(&((struct pstr *)p)->w[i],
                                    memory_order_relaxed);
    memcpy(out, w, sizeof w);
    out[sizeof w - 1] = '\0';
}

/* Loop thread: publish the innermost frame (or none). */
static void
publish(struct dbot__health *h)
{
    const struct frame *f = h->depth ? &h->stack[h->depth - 1] : NULL;
    unsigned s = atomic_load_explicit(&h->pub.seq, memory_order_relaxed);

    atomic_store_explicit(&h->pub.seq, s + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&h->pub.depth, h->depth + h->overflow,
                          memory_order_relaxed);
    atomic_store_explicit(&h->pub.start_ns, f ? f->start_ns : 0,
                          memory_order_relaxed);
    pstr_store(&h->pub.kind, f ? f->kind : NULL);
    pstr_store(&h->pub.name, f ? f->name : NULL);
    pstr_store(&h->pub.what, f ? f->what : NULL);
    atomic_store_explicit(&h->pub.seq, s + 2, memory_order_release);
}

/* Any thread: a consistent copy of the published frame. Only the loop
 * writes, and the watchdog reads when the loop is stuck, so retries are
 * rare; give up after a bounded number rather than spin on a busy loop. */
static bool
read_pub(const struct dbot__health *h, struct snap *out)
{
    struct pub *p = (struct pub *)&h->pub;

    for (int tries = 0; tries < 1000; tries++) {
        unsigned s1 = atomic_load_explicit(&p->seq, memory_order_acquire);

        if (s1 & 1)
            continue;
        out->depth = atomic_load_explicit(&p->depth, memory_order_relaxed);
        out->start_ns =
            atomic_load_explicit(&p->start_ns, memory_order_relaxed);
        pstr_load(&p->kind, out->kind);
        pstr_load(&p->name, out->name);
        pstr_load(&p->what, out->what);
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&p->seq, memory_order_relaxed) == s1)
            return true;
    }
    return false;
}

static void
max_store(_Atomic int64_t *a, int64_t v)
{
    /* Only the loop writes, so load-then-store cannot lose an update. */
    if (v > atomic_load_explicit(a, memory_order_relaxed))
        atomic_store_explicit(a, v, memory_order_relaxed);
}

/* Loop thread: the loop made progress at `now`. */
static void
beat(struct dbot__health *h, int64_t now)
{
    if (h->armed && h->stall_ms > 0) {
        int64_t gap = now - h->last_beat_ns;

        if (gap >= (int64_t)h->stall_ms * 1000000) {
            atomic_fetch_add_explicit(&h->n_stalls, 1, memory_order_relaxed);
            max_store(&h->longest_stall_ns, gap);
            atomic_store_explicit(&h->last_gap_ns, gap, memory_order_relaxed);
            atomic_store_explicit(&h->beat_ns, now, memory_order_release);
            h->last_beat_ns = now;
            /* Let the watchdog log the recovery now rather than at its
             * next repeat. Rare path: only after a stall. */
            pthread_mutex_lock(&h->mu);
            pthread_cond_signal(&h->cv);
            pthread_mutex_unlock(&h->mu);
            return;
        }
    }
    h->last_beat_ns = now;
    if (h->armed)
        atomic_store_explicit(&h->beat_ns, now, memory_order_release);
}

void
dbot__health_tick(struct dbot__health *h)
{
    if (h)
        beat(h, now_ns());
}

void
dbot__health_enter(struct dbot__health *h, const char *kind, const char *name,
                   const char *what)
{
    int64_t now = now_ns();

    if (!h)
        return;
    atomic_fetch_add_explicit(&h->n_handlers, 1, memory_order_relaxed);
    beat(h, now);
    if (h->depth == MAX_DEPTH) {
        h->overflow++;
        return;
    }
    h->stack[h->depth++] = (struct frame){ kind ? kind : "?", name ? name : "?",
                                           what ? what : "?", now };
    publish(h);
}

void
dbot__health_leave(struct dbot__health *h)
{
    int64_t now, dur;
    struct frame f;

    if (!h)
        return;
    now = now_ns();
    beat(h, now);
    if (h->overflow) {
        h->overflow--;
        return;
    }
    if (h->depth == 0) {
        LOG_E("health", "leave without enter");
        return;
    }
    f = h->stack[--h->depth];
    publish(h);
    dur = now - f.start_ns;
    max_store(&h->slowest_ns, dur);
    if (h->slow_ms >= 0 && dur >= (int64_t)h->slow_ms * 1000000) {
        atomic_fetch_add_explicit(&h->n_slow, 1, memory_order_relaxed);
        LOG_W("health", "slow %s %s (%s) took %lld ms (limit %d ms)", f.kind,
              f.name, f.what, (long long)(dur / 1000000), h->slow_ms);
    }
}

static void
log_blocked(const struct snap *s, int64_t blocked_ns)
{
    long long ms = (long long)(blocked_ns / 1000000);

    if (s->depth == 0)
        LOG_W("health", "loop blocked for %lld ms outside any handler", ms);
    else if (s->depth == 1)
        LOG_W("health", "loop blocked for %lld ms in %s %s (%s)", ms, s->kind,
              s->name, s->what);
    else
        LOG_W("health",
              "loop blocked for %lld ms in %s %s (%s), nested %d deep", ms,
              s->kind, s->name, s->what, s->depth);
}

static void *
watchdog_main(void *arg)
{
    struct dbot__health *h = arg;
    const int64_t stall = (int64_t)h->stall_ms * 1000000;
    const int64_t repeat = (int64_t)h->repeat_ms * 1000000;
    int64_t reported_beat = 0, next_report = 0;
    struct snap where = { 0 };

    pthread_mutex_lock(&h->mu);
    while (!h->stop) {
        int64_t b = atomic_load_explicit(&h->beat_ns, memory_order_acquire);
        int64_t now = now_ns(), wake;
        struct timespec ts;

        if (reported_beat && b != reported_beat) {
            int64_t gap =
                atomic_load_explicit(&h->last_gap_ns, memory_order_relaxed);

            if (gap <= 0)
                gap = b - reported_beat;
            if (where.depth)
                LOG_W("health",
                      "loop recovered after %lld ms blocked in %s "
                      "%s (%s)",
                      (long long)(gap / 1000000), where.kind, where.name,
                      where.what);
            else
                LOG_W("health", "loop recovered after %lld ms blocked",
                      (long long)(gap / 1000000));
            reported_beat = 0;
        }
        if (now - b >= stall) {
            if (b != reported_beat || now >= next_report) {
                if (b != reported_beat && !read_pub(h, &where))
                    memset(&where, 0, sizeof where);
                log_blocked(&where, now - b);
                reported_beat = b;
                next_report = now + repeat;
            }
            wake = next_report;
        } else {
            wake = b + stall;
        }
        ts.tv_sec = (time_t)(wake / 1000000000);
        ts.tv_nsec = (long)(wake % 1000000000);
        pthread_cond_timedwait(&h->cv, &h->mu, &ts);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

struct dbot__health *
dbot__health_new(const struct dbot__health_opts *opts)
{
    struct dbot__health *h = calloc(1, sizeof *h);
    pthread_condattr_t ca;

    if (!h)
        return NULL;
    h->slow_ms = opts && opts->slow_ms ? opts->slow_ms : DBOT__HEALTH_SLOW_MS;
    h->stall_ms =
        opts && opts->stall_ms ? opts->stall_ms : DBOT__HEALTH_STALL_MS;
    h->repeat_ms =
        opts && opts->repeat_ms > 0 ? opts->repeat_ms : DBOT__HEALTH_REPEAT_MS;
    pthread_mutex_init(&h->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&h->cv, &ca);
    pthread_condattr_destroy(&ca);
    publish(h);
    return h;
}

int
dbot__health_start(struct dbot__health *h)
{
    int64_t now = now_ns();
    sigset_t all, old;
    int rc;

    if (h->armed)
        return DBOT_ESTATE;
    h->last_beat_ns = now;
    atomic_store_explicit(&h->beat_ns, now, memory_order_release);
    h->armed = true;
    if (h->stall_ms < 0)
        return 0;
    h->stop = false; /* no thread runs yet */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&h->thread, NULL, watchdog_main, h);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        LOG_E("health", "cannot start the watchdog thread: %s", strerror(rc));
        return DBOT_EAGAIN;
    }
    pthread_setname_np(h->thread, "dbot-watchdog");
    h->running = true;
    return 0;
}

void
dbot__health_stop(struct dbot__health *h)
{
    if (!h)
        return;
    if (h->running) {
        pthread_mutex_lock(&h->mu);
        h->stop = true;
        pthread_cond_signal(&h->cv);
        pthread_mutex_unlock(&h->mu);
        pthread_join(h->thread, NULL);
        h->running = false;
    }
    h->armed = false;
    atomic_store_explicit(&h->beat_ns, 0, memory_order_release);
}

void
dbot__health_free(struct dbot__health *h)
{
    if (!h)
        return;
    dbot__health_stop(h);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    free(h);
}

int
dbot__health_loop_healthy(const struct dbot__health *h)
{
    int64_t b = atomic_load_explicit(&((struct dbot__health *)h)->beat_ns,
                                     memory_order_acquire);

    if (b == 0 || h->stall_ms <= 0)
        return 1;
    return now_ns() - b < (int64_t)h->stall_ms * 1000000;
}

void
dbot__health_stats(const struct dbot__health *h, struct dbot__health_stats *out)
{
    struct dbot__health *m = (struct dbot__health *)h;
    int64_t b = atomic_load_explicit(&m->beat_ns, memory_order_acquire);

    out->handlers = atomic_load_explicit(&m->n_handlers, memory_order_relaxed);
    out->slow = atomic_load_explicit(&m->n_slow, memory_order_relaxed);
    out->slowest_ms =
        atomic_load_explicit(&m->slowest_ns, memory_order_relaxed) / 1000000;
    out->stalls = atomic_load_explicit(&m->n_stalls, memory_order_relaxed);
    out->longest_stall_ms =
        atomic_load_explicit(&m->longest_stall_ns, memory_order_relaxed) /
        1000000;
    out->blocked_ms = b ? (now_ns() - b) / 1000000 : 0;
    out->healthy = dbot__health_loop_healthy(h);
}
