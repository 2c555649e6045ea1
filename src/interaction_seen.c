/*
 * interaction_seen.c: see interaction_seen.h.
 *
 * The hash is linear probing with backward-shift deletion (no tombstones,
 * so a table that sees millions of ids over hours never fills with dead
 * slots). Both arrays grow by doubling and shrink by halving when a burst
 * has expired, so memory follows the ids remembered now, not the peak.
 */
#include "interaction_seen.h"

#include <dbot/dbot.h>

#include <stdlib.h>
#include <string.h>

#define MIN_RING 16
#define MIN_TAB  32

/* Snowflakes differ mostly in their low (counter) and high (time) bits;
 * the splitmix64 finalizer spreads both over the whole word. */
static size_t
slot_of(uint64_t id, size_t cap)
{
    id ^= id >> 30;
    id *= 0xbf58476d1ce4e5b9ull;
    id ^= id >> 27;
    id *= 0x94d049bb133111ebull;
    id ^= id >> 31;
    return (size_t)id & (cap - 1);
}

/* The slot holding id, or the empty slot where it would go. */
static size_t
probe(const struct dbot__ix_seen *s, uint64_t id)
{
    size_t mask = s->tab_cap - 1, i = slot_of(id, s->tab_cap);

    while (s->tab[i] && s->tab[i] != id)
        i = (i + 1) & mask;
    return i;
}

static int
tab_resize(struct dbot__ix_seen *s, size_t cap)
{
    uint64_t *old = s->tab, *tab = calloc(cap, sizeof *tab);
    size_t old_cap = s->tab_cap;

    if (!tab)
        return DBOT_ENOMEM;
    s->tab = tab;
    s->tab_cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i])
            s->tab[probe(s, old[i])] = old[i];
    free(old);
    return 0;
}

/* Remove id (present) and shift back the run after it, so every id stays
 * reachable from its home slot without tombstones. */
static void
tab_remove(struct dbot__ix_seen *s, uint64_t id)
{
    size_t mask = s->tab_cap - 1, i = probe(s, id), j = i, home;

    if (!s->tab[i])
        return;
    for (;;) {
        j = (j + 1) & mask;
        if (!s->tab[j])
            break;
        home = slot_of(s->tab[j], s->tab_cap);
        /* The id at j may move back to i only if its home is not in the
         * cyclic range (i, j]. */
        if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
            s->tab[i] = s->tab[j];
            i = j;
        }
    }
    s->tab[i] = 0;
}

/* Copy the ring into a new array of cap entries, oldest first. */
static int
ring_resize(struct dbot__ix_seen *s, size_t cap)
{
    struct dbot__ix_seen_ent *r = malloc(cap * sizeof *r);

    if (!r)
        return DBOT_ENOMEM;
    for (size_t k = 0; k < s->n; k++)
        r[k] = s->ring[(s->head + k) & (s->ring_cap - 1)];
    free(s->ring);
    s->ring = r;
    s->ring_cap = cap;
    s->head = 0;
    return 0;
}

static void
pop_oldest(struct dbot__ix_seen *s)
{
    tab_remove(s, s->ring[s->head].id);
    s->head = (s->head + 1) & (s->ring_cap - 1);
    s->n--;
}

void
dbot__ix_seen_init(struct dbot__ix_seen *s, int64_t life_ms, size_t max)
{
    memset(s, 0, sizeof *s);
    s->life_ms = life_ms;
    s->max = max ? max : 1;
}

void
dbot__ix_seen_close(struct dbot__ix_seen *s)
{
    free(s->ring);
    free(s->tab);
    memset(s, 0, sizeof *s);
}

void
dbot__ix_seen_expire(struct dbot__ix_seen *s, int64_t now_ms)
{
    while (s->n && s->ring[s->head].expires <= now_ms)
        pop_oldest(s);
    /* Give a burst's memory back. Failing to shrink changes nothing. */
    if (s->ring_cap > MIN_RING && s->n < s->ring_cap / 4)
        (void)ring_resize(s, s->ring_cap / 2);
    if (s->tab_cap > MIN_TAB && s->n < s->tab_cap / 8)
        (void)tab_resize(s, s->tab_cap / 2);
}

int
dbot__ix_seen_add(struct dbot__ix_seen *s, uint64_t id, int64_t now_ms)
{
    size_t i;

    if (!id)
        return DBOT_EINVAL;
    dbot__ix_seen_expire(s, now_ms);
    if (s->tab_cap && s->tab[probe(s, id)] == id)
        return 1;
    if (s->n >= s->max) {
        pop_oldest(s);
        s->forgotten_early++;
    }
    if (s->n == s->ring_cap &&
        ring_resize(s, s->ring_cap ? s->ring_cap * 2 : MIN_RING) < 0)
        return DBOT_ENOMEM;
    if ((s->n + 1) * 2 > s->tab_cap &&
        tab_resize(s, s->tab_cap ? s->tab_cap * 2 : MIN_TAB) < 0)
        return DBOT_ENOMEM;
    s->ring[(s->head + s->n) & (s->ring_cap - 1)] =
        (struct dbot__ix_seen_ent){ .id = id, .expires = now_ms + s->life_ms };
    s->n++;
    i = probe(s, id);
    s->tab[i] = id;
    return 0;
}

size_t
dbot__ix_seen_count(const struct dbot__ix_seen *s)
{
    return s->n;
}
