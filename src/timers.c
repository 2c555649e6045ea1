/*
 * timers.c: user timers as ids over the loop's heap.
 *
 * DESIGN. Each timer is a small allocation holding a struct dbot__timer
 * (so the heap points at memory that never moves) and is named by an id:
 * the index of its slot in a table, plus the slot's generation. A slot is
 * reused after its timer ends, with the generation bumped, so an old id
 * never reaches a new timer: cancelling after the fire is a harmless
 * DBOT_ENOENT instead of a use-after-free, the trap of handing out
 * pointers. Free slots form a list through the table, so start, cancel
 * and lookup are O(1) plus the heap's O(log n). The table only grows to
 * the most timers ever pending at once.
 *
 * A repeating timer is re-armed before its callback runs, so the callback
 * may cancel it; its next deadline is one period after the last one (no
 * drift), or one period from now if the loop fell behind by more than a
 * period (no burst of catch-up calls).
 */
#include "timers.h"

#include "clock.h"
#include "loop.h"

#include <stdlib.h>

#define SLOT_LIMIT 0x7fffffffu /* ids keep the slot in 31 bits */
#define NO_SLOT    UINT32_MAX

struct utimer {
    struct dbot__timer t; /* on the loop's heap */
    struct dbot__timers *owner;
    dbot_timer_fn fn;
    void *data;
    int64_t repeat_ms; /* 0: one-shot */
    uint32_t slot;
};

struct slot {
    struct utimer *timer; /* NULL: free */
    uint32_t gen;         /* bumped each time the slot is freed */
    uint32_t next_free;
};

struct dbot__timers {
    dbot *bot;
    struct dbot__loop *loop;
    struct slot *slots;
    uint32_t nslots, cap;
    uint32_t free_head; /* NO_SLOT: none free */
    size_t pending;
    int closing; /* dbot__timers_free is running */
};

static dbot_timer_id
id_of(const struct dbot__timers *ts, uint32_t slot)
{
    /* gen starts at 1, so an id is never 0. */
    return ((uint64_t)ts->slots[slot].gen << 32) | slot;
}

static struct utimer *
lookup(const struct dbot__timers *ts, dbot_timer_id id)
{
    uint32_t slot = (uint32_t)(id & 0xffffffffu);
    uint32_t gen = (uint32_t)(id >> 32);

    if (id == 0 || slot >= ts->nslots || ts->slots[slot].gen != gen)
        return NULL;
    return ts->slots[slot].timer;
}

static void
release(struct dbot__timers *ts, struct utimer *u)
{
    struct slot *s = &ts->slots[u->slot];

    dbot__loop_timer_disarm(ts->loop, &u->t);
    s->timer = NULL;
    if (++s->gen == 0)
        s->gen = 1;
    s->next_free = ts->free_head;
    ts->free_head = u->slot;
    ts->pending--;
    free(u);
}

static int
take_slot(struct dbot__timers *ts, uint32_t *out)
{
    if (ts->free_head != NO_SLOT) {
        *out = ts->free_head;
        ts->free_head = ts->slots[*out].next_free;
        return 0;
    }
    if (ts->nslots == ts->cap) {
        uint32_t cap = ts->cap ? ts->cap * 2 : 64;
        struct slot *v;

        if (ts->cap >= SLOT_LIMIT / 2)
            return DBOT_ENOMEM;
        v = realloc(ts->slots, (size_t)cap * sizeof *v);
        if (!v)
            return DBOT_ENOMEM;
        ts->slots = v;
        ts->cap = cap;
    }
    ts->slots[ts->nslots].gen = 1;
    ts->slots[ts->nslots].timer = NULL;
    *out = ts->nslots++;
    return 0;
}

static void
utimer_fire(struct dbot__timer *t)
{
    struct utimer *u = (struct utimer *)t;
    struct dbot__timers *ts = u->owner;
    dbot_timer_id id = id_of(ts, u->slot);

    if (u->repeat_ms > 0) {
        int64_t now = dbot__clock_ms();
        int64_t next = u->t.node.due + u->repeat_ms;

        if (next <= now)
            next = now + u->repeat_ms;
        /* Re-armed first, so the callback may cancel it. This cannot
         * fail: the heap just gave up this timer's own place. */
        (void)dbot__loop_timer_arm(ts->loop, &u->t, next - now);
        u->fn(ts->bot, id, 0, u->data);
        return;
    }
    /* One-shot: the id is dead before the call, so the callback may start
     * a new timer (which may take this slot, under a new generation). */
    {
        dbot_timer_fn fn = u->fn;
        void *data = u->data;

        release(ts, u);
        fn(ts->bot, id, 0, data);
    }
}

int
dbot__timers_new(struct dbot__timers **out, dbot *bot, struct dbot__loop *loop)
{
    struct dbot__timers *ts = calloc(1, sizeof *ts);

    *out = NULL;
    if (!ts)
        return DBOT_ENOMEM;
    ts->bot = bot;
    ts->loop = loop;
    ts->free_head = NO_SLOT;
    *out = ts;
    return 0;
}

void
dbot__timers_free(struct dbot__timers *ts)
{
    if (!ts)
        return;
    ts->closing = 1;
    for (uint32_t i = 0; i < ts->nslots; i++) {
        struct utimer *u = ts->slots[i].timer;
        dbot_timer_id id;
        dbot_timer_fn fn;
        void *data;

        if (!u)
            continue;
        id = id_of(ts, i);
        fn = u->fn;
        data = u->data;
        release(ts, u);
        fn(ts->bot, id, DBOT_ECANCELED, data);
    }
    free(ts->slots);
    free(ts);
}

int
dbot__timers_start(struct dbot__timers *ts, int64_t delay_ms, int64_t repeat_ms,
                   dbot_timer_fn fn, void *data, dbot_timer_id *out)
{
    struct utimer *u;
    uint32_t slot;
    int rc;

    if (!fn || delay_ms < 0 || delay_ms > DBOT_TIMER_MAX_MS || repeat_ms < 0 ||
        repeat_ms > DBOT_TIMER_MAX_MS)
        return DBOT_EINVAL;
    if (ts->closing)
        return DBOT_ESHUTDOWN;
    u = calloc(1, sizeof *u);
    if (!u)
        return DBOT_ENOMEM;
    rc = take_slot(ts, &slot);
    if (rc < 0) {
        free(u);
        return rc;
    }
    dbot__timer_init(&u->t, utimer_fire);
    u->owner = ts;
    u->fn = fn;
    u->data = data;
    u->repeat_ms = repeat_ms;
    u->slot = slot;
    ts->slots[slot].timer = u;
    ts->pending++;
    rc = dbot__loop_timer_arm(ts->loop, &u->t, delay_ms);
    if (rc < 0) {
        release(ts, u);
        return rc;
    }
    if (out)
        *out = id_of(ts, slot);
    return 0;
}

int
dbot__timers_cancel(struct dbot__timers *ts, dbot_timer_id id)
{
    struct utimer *u = lookup(ts, id);

    if (!u)
        return DBOT_ENOENT;
    release(ts, u);
    return 0;
}

int64_t
dbot__timers_remaining(const struct dbot__timers *ts, dbot_timer_id id)
{
    const struct utimer *u = lookup(ts, id);
    int64_t left;

    if (!u || !dbot__timer_armed(&u->t))
        return DBOT_ENOENT;
    left = u->t.node.due - dbot__clock_ms();
    return left > 0 ? left : 0;
}

size_t
dbot__timers_pending(const struct dbot__timers *ts)
{
    return ts->pending;
}
