/*
 * gateway_thread.c: the shards on their own I/O thread (gateway_thread.h).
 *
 * DESIGN. The thread runs a second loop (loop.c: an lws context, an inbox,
 * a timer heap) with the "dbot-gateway" protocol, and its own resolver.
 * The bot's loop reaches it only through that inbox (start a shard, close
 * them, send a payload, sync the presence); it reaches the bot's loop only
 * through the bot loop's inbox (batches of events, the shard plan, a fatal
 * close, a defer that could not be sent).
 *
 * Batches. Each shard has one open batch: the events kept since its last
 * hand-over, whose trees live in the shard's current arena. When the
 * thread is about to wait for input (lws holds none it has read and not
 * delivered), and at once when a batch is full, a batch with events is
 * handed over: the shard parses
 * into a fresh arena from then on, and the old one travels with the batch
 * and comes back to a small pool when the loop has run it. A turn reads
 * what is ready on every socket, so a busy shard hands over many events
 * per wakeup of the loop, and an idle one a single event at once.
 *
 * Backlog. `backlog` counts events handed over and not yet run. When it
 * passes gateway_backlog after a turn, every shard closes its connection
 * resumably (the session stays; events behind the close are not read, and
 * Discord replays them on resume), and connect_wait holds reconnects until
 * the loop has brought it to half.
 */
#include "gateway_thread.h"

#include "clock.h"
#include "config.h"
#include "coord.h"
#include "json_arena.h"
#include "log.h"
#include "loop.h"
#include "resolve.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_MAX        256          /* events per hand-over, at most */
#define BATCH_BYTES      (256 * 1024) /* or this much parsed */
#define POOL_MAX         8            /* arenas kept for reuse */
#define HOLD_POLL_MS     100          /* connect_wait's answer */
#define IDENTIFY_GAP_MS  5000         /* Discord: per bucket */
#define IDENTIFY_SENT_MS 5100         /* + margin, from the write */
/* Under a stream of events the loop is woken at most once per PACE_NS:
 * every hand-over to an idle loop is a thread wakeup, ~20 us of CPU on a
 * 2-core VM (measured, docs/architecture.md), and a batch fills in a few
 * dozen events, so without a pace the loop was woken every 50 events.
 * Batches within the pace are posted quietly and the pace timer wakes the
 * loop for all of them. An interaction, or the first batch after a quiet
 * PACE_NS, wakes it at once. */
#define PACE_NS 1000000
#define PACE_MS 1
/* lws reads at most this much per socket per turn: a larger read hands
 * more events to the loop per wakeup (4 KiB, lws's default, is a handful
 * of compressed events). */
#define RX_BUFFER 65536

struct shard;

struct batch {
    struct dbot__gwt *t;
    struct dbot__jarena *arena;
    size_t n;
    int urgent; /* holds an interaction: wake the loop at once */
    struct dbot__gwt_event items[BATCH_MAX];
};

struct shard {
    struct dbot__gateway *gw;
    struct batch *b;    /* the open batch; gateway thread */
    int dirty;          /* in t->dirty */
    struct shard *next; /* every shard, for free (bot's thread) */
};

struct dbot__gwt {
    struct dbot__gwt_deps d;
    struct dbot__gateway_hooks hooks;
    struct dbot__loop *io;
    struct dbot__resolver *resolver;
    struct dbot__ackg *guard;
    pthread_t thread;
    int started;
    atomic_int quit;

    /* Gateway thread from dbot__gwt_start on. */
    struct shard **live; /* shards started on this thread */
    size_t nlive, caplive;
    struct shard **dirty; /* shards whose batch has events */
    size_t ndirty;
    int plan;            /* shard 0 waits for Discord's shard count */
    int max_concurrency; /* identify buckets */
    int64_t *identify_next;
    int paused; /* the backlog made the shards step back */

    int64_t last_wake_ns;    /* the loop's last wakeup, for the pace */
    struct dbot__timer pace; /* wakes the loop for quiet hand-overs */
    atomic_size_t backlog;
    size_t backlog_max;
    atomic_uint_fast64_t pauses;

    pthread_mutex_t pool_mu;
    struct dbot__jarena *pool[POOL_MAX];
    int npool;
    size_t arena_bound;

    struct shard *shards; /* the bot's thread: every shard added */
};

/* ---- arenas and batches ------------------------------------------------- */

static struct dbot__jarena *
arena_get(struct dbot__gwt *t)
{
    struct dbot__jarena *a = NULL;

    pthread_mutex_lock(&t->pool_mu);
    if (t->npool > 0)
        a = t->pool[--t->npool];
    pthread_mutex_unlock(&t->pool_mu);
    return a ? a : dbot__jarena_new(t->arena_bound);
}

static void
arena_put(struct dbot__gwt *t, struct dbot__jarena *a)
{
    dbot__jarena_reset(a);
    pthread_mutex_lock(&t->pool_mu);
    if (t->npool < POOL_MAX) {
        t->pool[t->npool++] = a;
        a = NULL;
    }
    pthread_mutex_unlock(&t->pool_mu);
    dbot__jarena_free(a);
}

static void
batch_free(struct batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        dbot__ack_unref(b->items[i].ack);
    if (b->arena)
        arena_put(b->t, b->arena);
    free(b);
}

static struct batch *
batch_new(struct dbot__gwt *t)
{
    struct batch *b = malloc(sizeof *b);

    if (b) {
        b->t = t;
        b->arena = NULL;
        b->n = 0;
        b->urgent = 0;
    }
    return b;
}

/* Bot's loop thread: the batch's events go to the bot, in order. */
static void
run_batch(void *arg)
{
    struct batch *b = arg;
    struct dbot__gwt *t = b->t;
    size_t n = b->n;

    t->d.on_events(t->d.ud, b->items, n);
    batch_free(b);
    atomic_fetch_sub(&t->backlog, n);
}

/* Post a batch to the bot's loop, waking it at once or within PACE_NS
 * (see PACE_NS). */
static int
post_paced(struct dbot__gwt *t, struct batch *b)
{
    int64_t now = dbot__clock_ns();

    if (b->urgent || now - t->last_wake_ns >= PACE_NS ||
        (!dbot__timer_armed(&t->pace) &&
         dbot__loop_timer_arm(t->io, &t->pace, PACE_MS) < 0)) {
        t->last_wake_ns = now;
        return dbot__loop_post(t->d.bot_loop, run_batch, b);
    }
    return dbot__loop_post_quiet(t->d.bot_loop, run_batch, b);
}

static void
pace_fired(struct dbot__timer *timer)
{
    struct dbot__gwt *t = lws_container_of(timer, struct dbot__gwt, pace);

    t->last_wake_ns = dbot__clock_ns();
    dbot__loop_wake(t->d.bot_loop);
}

/* Hand the shard's open batch to the bot's loop. Returns 0, or < 0 when
 * memory ran out (the batch stays open). */
static int
flush_shard(struct dbot__gwt *t, struct shard *s)
{
    struct batch *b = s->b, *next;
    struct dbot__jarena *fresh;

    if (!b || b->n == 0)
        return 0;
    next = batch_new(t);
    fresh = next ? arena_get(t) : NULL;
    if (!fresh) {
        free(next);
        return DBOT_ENOMEM;
    }
    b->arena = dbot__gateway_swap_arena(s->gw, fresh);
    atomic_fetch_add(&t->backlog, b->n);
    if (post_paced(t, b) < 0) {
        atomic_fetch_sub(&t->backlog, b->n);
        arena_put(t, dbot__gateway_swap_arena(s->gw, b->arena));
        b->arena = NULL;
        free(next);
        return DBOT_ENOMEM;
    }
    s->b = next;
    return 0;
}

/* After every turn: hand over what the turn read, then look at the
 * backlog. */
static void
flush_all(struct dbot__gwt *t)
{
    size_t backlog;

    for (size_t i = 0; i < t->ndirty; i++) {
        struct shard *s = t->dirty[i];

        s->dirty = 0;
        if (flush_shard(t, s) < 0) {
            LOG_E("gateway",
                  "shard %d: out of memory handing events to the loop; "
                  "resuming later",
                  dbot__gateway_shard_id(s->gw));
            dbot__gateway_pause(s->gw);
        }
    }
    t->ndirty = 0;
    backlog = atomic_load(&t->backlog);
    if (t->backlog_max && backlog > t->backlog_max && !t->paused) {
        t->paused = 1;
        atomic_fetch_add(&t->pauses, 1);
        LOG_W("gateway",
              "the loop is %zu events behind (gateway_backlog %zu): a "
              "handler is blocking it; closing the gateway connections "
              "until it catches up, then resuming (nothing is lost)",
              backlog, t->backlog_max);
        for (size_t i = 0; i < t->nlive; i++)
            dbot__gateway_pause(t->live[i]->gw);
    }
}

/* ---- hooks: the shards call these on the gateway thread ------------------ */

static int
on_dispatch(void *ud, struct dbot__gateway *gw, const dbot_event *ev)
{
    struct dbot__gwt *t = ud;
    struct shard *s = dbot__gateway_user(gw);
    struct dbot__gwt_event *it;

    if (!s->b || s->b->n == BATCH_MAX) {
        /* Memory ran out at the last hand-over and the batch is full:
         * refuse it, so the session closes and Discord replays it. */
        LOG_E("gateway", "shard %d: cannot queue %s; resuming to get it again",
              ev->shard_id, ev->name);
        return -1;
    }
    it = &s->b->items[s->b->n++];
    it->ev = *ev;
    if (strcmp(ev->name, "INTERACTION_CREATE") == 0) {
        it->ack = dbot__ackg_track(t->guard, ev->data);
        s->b->urgent = 1;
    } else {
        it->ack = NULL;
    }
    if (!s->dirty) {
        s->dirty = 1;
        t->dirty[t->ndirty++] = s; /* sized for every live shard */
    }
    if (s->b->n == BATCH_MAX ||
        dbot__jarena_used(dbot__gateway_arena(gw)) >= BATCH_BYTES)
        flush_shard(t, s); /* failure: tried again after the turn */
    return 1;
}

static int64_t
connect_wait(void *ud, struct dbot__gateway *gw)
{
    struct dbot__gwt *t = ud;
    struct shard *s = dbot__gateway_user(gw);

    if (t->paused && atomic_load(&t->backlog) > t->backlog_max / 2)
        return HOLD_POLL_MS;
    if (t->paused) {
        t->paused = 0;
        LOG_I("gateway", "the loop caught up; resuming the gateway sessions");
    }
    if (!s->b && !(s->b = batch_new(t)))
        return HOLD_POLL_MS;
    if (s->b->n == BATCH_MAX)
        return flush_shard(t, s) < 0 ? HOLD_POLL_MS : 0;
    return 0;
}

/* Shards auto sharding added that another process of the bot holds
 * (coord.h): stopped outside the gate that found them, never identified.
 * Gateway thread. */
static void
stop_refused(void *arg)
{
    struct dbot__gwt *t = arg;

    for (size_t i = 0; i < t->nlive; i++) {
        struct dbot__gateway *gw = t->live[i]->gw;
        if (dbot__coord_refused(t->d.coord, dbot__gateway_shard_id(gw)) &&
            !dbot__gateway_is_closed(gw))
            dbot__gateway_stop(gw);
    }
}

static int64_t
coord_refused(struct dbot__gwt *t)
{
    if (dbot__loop_post(t->io, stop_refused, t) < 0)
        LOG_E("coord", "cannot stop a refused shard: out of memory");
    return 3600000; /* stopped before then */
}

/* What GET /gateway/bot said of the session-start budget: the bot's one
 * copy is in Redis (coord.h), spent by the identify gate below. */
static void
on_session_limit(void *ud, double remaining, double total,
                 double reset_after_ms)
{
    struct dbot__gwt *t = ud;

    if (t->d.coord)
        dbot__coord_session_budget(t->d.coord, remaining, total,
                                   reset_after_ms);
}

/* Discord allows one identify per 5 s per bucket (shard_id %
 * max_concurrency). Returns 0 and takes the slot, or the ms to wait. */
static int64_t
identify_wait(void *ud, int shard_id)
{
    struct dbot__gwt *t = ud;
    int64_t now = dbot__clock_ms(), *next, w;

    next = &t->identify_next[shard_id % t->max_concurrency];
    if (*next > now)
        return *next - now;
    /* With Redis, the bucket's slot is the bot's, not this process's; the
     * local gate above still holds, so a Redis outage never makes this
     * process identify faster than alone. */
    if (t->d.coord &&
        (w = dbot__coord_identify_wait(t->d.coord, shard_id)) !=
            DBOT__COORD_LOCAL &&
        w != 0)
        return w > 0 ? w : coord_refused(t); /* another process's */
    *next = now + IDENTIFY_GAP_MS;
    return 0;
}

/* The identify left the socket now: its 5 s count from here, not from when
 * it was queued (a busy thread may write it later than it was allowed). */
static void
identify_sent(void *ud, int shard_id)
{
    struct dbot__gwt *t = ud;
    int64_t *next = &t->identify_next[shard_id % t->max_concurrency];

    if (t->d.coord)
        dbot__coord_identify_sent(t->d.coord, shard_id);
    /* 100 ms of margin for the trip and for Discord's own clock. */
    if (*next < dbot__clock_ms() + IDENTIFY_SENT_MS)
        *next = dbot__clock_ms() + IDENTIFY_SENT_MS;
}

struct plan_msg {
    struct dbot__gwt *t;
    int n;
    char url[];
};

static void
run_plan(void *arg)
{
    struct plan_msg *p = arg;

    p->t->d.on_plan(p->t->d.ud, p->n, p->url);
    free(p);
}

/* GET /gateway/bot answered: max_concurrency for the identify gate, and,
 * when the bot plans its shards, Discord's count: shard 0 takes it before
 * it identifies, the bot's loop starts the others. */
static void
on_plan(void *ud, struct dbot__gateway *gw, int recommended,
        int max_concurrency, const char *gateway_url)
{
    struct dbot__gwt *t = ud;
    int n = recommended > 0 ? recommended : 1;
    struct plan_msg *p;

    if (max_concurrency < 1)
        max_concurrency = 1;
    if (max_concurrency != t->max_concurrency) {
        int64_t *next = calloc((size_t)max_concurrency, sizeof *next);

        if (next) {
            free(t->identify_next);
            t->identify_next = next;
            t->max_concurrency = max_concurrency;
        }
    }
    if (t->d.coord)
        dbot__coord_set_concurrency(t->d.coord, max_concurrency);
    if (!t->plan)
        return;
    t->plan = 0;
    if (n <= 1)
        return;
    dbot__gateway_set_count(gw, n);
    p = malloc(sizeof *p + strlen(gateway_url) + 1);
    if (p) {
        p->t = t;
        p->n = n;
        strcpy(p->url, gateway_url);
    }
    if (!p || dbot__loop_post(t->d.bot_loop, run_plan, p) < 0) {
        free(p);
        LOG_E("gateway", "out of memory starting %d shards; stopping", n);
        t->hooks.on_fatal(t, DBOT_ENOMEM);
    }
}

struct fatal_msg {
    struct dbot__gwt *t;
    int err;
};

static void
run_fatal(void *arg)
{
    struct fatal_msg *f = arg;

    f->t->d.on_fatal(f->t->d.ud, f->err);
    free(f);
}

static void
on_fatal(void *ud, int err)
{
    struct dbot__gwt *t = ud;
    struct fatal_msg *f = malloc(sizeof *f);

    if (f) {
        f->t = t;
        f->err = err;
        if (dbot__loop_post(t->d.bot_loop, run_fatal, f) == 0)
            return;
        free(f);
    }
    LOG_E("gateway", "out of memory reporting a fatal close; exiting");
    abort();
}

static char *
presence(void *ud, unsigned *gen)
{
    struct dbot__gwt *t = ud;

    return t->d.presence(t->d.ud, gen);
}

/* ---- lifecycle ------------------------------------------------------------
 */

static const struct lws_protocols protocols[] = {
    { "dbot-gateway", dbot__gateway_lws_cb, 0, RX_BUFFER, 0, NULL, 0 },
    { NULL, NULL, 0, 0, 0, NULL, 0 },
};

int
dbot__gwt_new(struct dbot__gwt **out, const struct dbot__gwt_deps *d)
{
    struct dbot__gwt *t = calloc(1, sizeof *t);
    /* The gateway's websockets are the process's only TLS connections
     * through lws (REST is libcurl's, the listeners are plain HTTP). */
    struct dbot__loop_opts lo = { .protocols = protocols,
                                  .ca_file = d->cfg->ca_file,
                                  .client_tls = 1 };
    int rc;

    *out = NULL;
    if (!t)
        return DBOT_ENOMEM;
    t->d = *d;
    pthread_mutex_init(&t->pool_mu, NULL);
    t->max_concurrency = 1; /* one identify per 5 s until Discord says */
    t->identify_next = calloc(1, sizeof *t->identify_next);
    t->backlog_max = (size_t)d->cfg->gateway_backlog;
    t->arena_bound = dbot__gateway_arena_bound(d->cfg->max_message_bytes);
    dbot__timer_init(&t->pace, pace_fired);
    rc = t->identify_next ? dbot__loop_new(&t->io, &lo) : DBOT_ENOMEM;
    if (rc == 0)
        rc = dbot__resolver_new(&t->resolver, dbot__loop_post, t->io);
    if (rc == 0) {
        struct dbot__ackg_deps ad = {
            .loop = t->io,
            .rest = d->rest,
            .deadline_ms = d->cfg->ack_deadline_ms,
            .post = dbot__loop_post,
            .post_ctx = d->bot_loop,
            .on_deferred = d->on_deferred,
            .ud = d->ud,
        };
        rc = dbot__ackg_new(&t->guard, &ad);
    }
    if (rc < 0) {
        dbot__gwt_free(t);
        return rc;
    }
    t->hooks = (struct dbot__gateway_hooks){
        .cfg = d->cfg,
        .loop = t->io,
        .resolver = t->resolver,
        .rest = d->rest,
        .rest_deliver = dbot__loop_post,
        .ud = t,
        .on_dispatch = on_dispatch,
        .connect_wait = connect_wait,
        .on_plan = on_plan,
        .on_session_limit = on_session_limit,
        .identify_wait = identify_wait,
        .identify_sent = identify_sent,
        .presence = presence,
        .on_fatal = on_fatal,
    };
    *out = t;
    return 0;
}

const struct dbot__gateway_hooks *
dbot__gwt_hooks(struct dbot__gwt *t)
{
    return &t->hooks;
}

void
dbot__gwt_plan_shards(struct dbot__gwt *t, int yes)
{
    t->plan = yes;
}

static void *
io_main(void *arg)
{
    struct dbot__gwt *t = arg;

    dbot__loop_enter(t->io);
    while (!atomic_load(&t->quit)) {
        if (dbot__loop_turn(t->io) < 0)
            break;
        /* lws hands over one read's worth per turn and keeps the rest
         * for the next: hand the loop a batch only when the thread is
         * about to wait (a full batch goes at once, on_dispatch). */
        if (!dbot__loop_has_buffered_input(t->io))
            flush_all(t);
    }
    flush_all(t);
    dbot__loop_leave(t->io);
    return NULL;
}

int
dbot__gwt_start(struct dbot__gwt *t)
{
    if (t->started)
        return 0;
    if (pthread_create(&t->thread, NULL, io_main, t) != 0) {
        LOG_E("gateway", "cannot start the gateway thread");
        return DBOT_ENOMEM;
    }
    pthread_setname_np(t->thread, "dbot-gateway");
    t->started = 1;
    return 0;
}

/* Gateway thread: adopt and connect. */
static int
go_live(struct dbot__gwt *t, struct shard *s)
{
    if (t->nlive == t->caplive) {
        size_t cap = t->caplive ? t->caplive * 2 : 8;
        struct shard **live = realloc(t->live, cap * sizeof *live);
        struct shard **dirty =
            live ? realloc(t->dirty, cap * sizeof *dirty) : NULL;

        if (live)
            t->live = live;
        if (!dirty)
            return DBOT_ENOMEM;
        t->dirty = dirty;
        t->caplive = cap;
    }
    t->live[t->nlive++] = s;
    dbot__gateway_start(s->gw);
    return 0;
}

static void
run_add(void *arg)
{
    struct shard *s = arg;
    struct dbot__gwt *t = s->b->t;

    if (atomic_load(&t->quit))
        return;
    if (go_live(t, s) < 0) {
        LOG_E("gateway", "out of memory starting shard %d; stopping",
              dbot__gateway_shard_id(s->gw));
        on_fatal(t, DBOT_ENOMEM);
    }
}

int
dbot__gwt_add_shard(struct dbot__gwt *t, struct dbot__gateway *gw)
{
    struct shard *s = calloc(1, sizeof *s);

    if (!s || !(s->b = batch_new(t))) {
        free(s);
        return DBOT_ENOMEM;
    }
    s->gw = gw;
    dbot__gateway_set_user(gw, s);
    s->next = t->shards;
    t->shards = s;
    /* Started by the thread itself, also before it runs: lws honours a
     * timer only when it was armed inside one of its callbacks (a posted
     * task runs in one), so a reconnect timer armed from here could wait
     * for lws's 30 s poll. */
    return dbot__loop_post(t->io, run_add, s);
}

struct stop_msg {
    struct dbot__gwt *t;
    int code;
};

static void
run_stop_shards(void *arg)
{
    struct stop_msg *m = arg;

    for (size_t i = 0; i < m->t->nlive; i++)
        dbot__gateway_stop_code(m->t->live[i]->gw, m->code);
    dbot__resolver_stop(m->t->resolver);
    free(m);
}

void
dbot__gwt_stop_shards(struct dbot__gwt *t, int code)
{
    struct stop_msg *m;

    if (!t)
        return;
    m = malloc(sizeof *m);
    if (!m || !t->started) {
        free(m);
        return; /* dbot__gwt_stop closes them */
    }
    m->t = t;
    m->code = code;
    if (dbot__loop_post(t->io, run_stop_shards, m) < 0)
        free(m);
}

static void
run_sync_presence(void *arg)
{
    dbot__gateway_sync_presence(arg);
}

void
dbot__gwt_sync_presence(struct dbot__gwt *t, struct dbot__gateway *gw)
{
    if (t && t->started)
        dbot__loop_post(t->io, run_sync_presence, gw);
}

struct send_msg {
    struct dbot__gateway *gw;
    size_t len;
    char json[];
};

static void
run_send(void *arg)
{
    struct send_msg *m = arg;
    int rc = dbot__gateway_send(m->gw, m->json, m->len);

    if (rc < 0)
        LOG_W("gateway", "shard %d: a payload was not sent: %s",
              dbot__gateway_shard_id(m->gw), dbot_strerror(rc));
    free(m);
}

int
dbot__gwt_send(struct dbot__gwt *t, struct dbot__gateway *gw, const char *json,
               size_t len)
{
    struct send_msg *m;
    int rc;

    if (!t || !t->started || dbot__gateway_state(gw) != DBOT__GW_READY)
        return DBOT_ESTATE;
    rc = dbot__gateway_reserve(gw, len);
    if (rc < 0)
        return rc;
    m = malloc(sizeof *m + len + 1);
    if (m) {
        m->gw = gw;
        m->len = len;
        memcpy(m->json, json, len);
        m->json[len] = '\0';
        if (dbot__loop_post(t->io, run_send, m) == 0)
            return 0;
    }
    free(m);
    dbot__gateway_unreserve(gw, len);
    return DBOT_ENOMEM;
}

void
dbot__gwt_stop(struct dbot__gwt *t)
{
    if (!t || !t->started)
        return;
    atomic_store(&t->quit, 1);
    dbot__loop_wake(t->io);
    pthread_join(t->thread, NULL);
    t->started = 0;
}

void
dbot__gwt_free(struct dbot__gwt *t)
{
    struct shard *s, *next;

    if (!t)
        return;
    dbot__gwt_stop(t);
    atomic_store(&t->quit, 1);
    for (s = t->shards; s; s = s->next)
        dbot__gateway_cancel_timers(s->gw);
    dbot__ackg_free(t->guard);
    if (t->io) {
        dbot__loop_close(t->io);
        /* Tasks posted after the thread ended (a stop, a send) run while
         * the resolver they may touch is still there. */
        dbot__loop_drain(t->io);
    }
    dbot__resolver_free(t->resolver);
    /* Tasks posted after the thread ended run now, so they free what they
     * carry (a send, a shard never started). */
    dbot__loop_free(t->io);
    for (s = t->shards; s; s = next) {
        next = s->next;
        if (s->b)
            batch_free(s->b);
        dbot__gateway_set_user(s->gw, NULL);
        free(s);
    }
    while (t->npool > 0)
        dbot__jarena_free(t->pool[--t->npool]);
    pthread_mutex_destroy(&t->pool_mu);
    free(t->live);
    free(t->dirty);
    free(t->identify_next);
    free(t);
}

size_t
dbot__gwt_backlog(const struct dbot__gwt *t)
{
    return t ? atomic_load(&t->backlog) : 0;
}

size_t
dbot__gwt_pool_bytes(struct dbot__gwt *t)
{
    size_t n = 0;

    pthread_mutex_lock(&t->pool_mu);
    for (int i = 0; i < t->npool; i++)
        n += dbot__jarena_held(t->pool[i]);
    pthread_mutex_unlock(&t->pool_mu);
    return n;
}

uint64_t
dbot__gwt_backlog_pauses(const struct dbot__gwt *t)
{
    return t ? atomic_load(&t->pauses) : 0;
}
