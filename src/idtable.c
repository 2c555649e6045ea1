/*
 * idtable.c: see idtable.h. The index grows at load 3/4 and the slab by
 * half again, or exactly to a reserved size; the hash mixes the id
 * (splitmix64's finalizer), since a snowflake's low bits are a per-process
 * counter that would pile up in a few buckets.
 *
 * An index entry is the slot number + 1 in its low 26 bits and 6 bits of
 * the id's hash above them, so a probe that meets another id's entry
 * skips it without reading its record (a cache miss) 63 times in 64. It
 * also bounds a table to 2^26 - 1 records, far above any cache bound.
 */
#include "idtable.h"

#include <dbot/dbot.h>

#include <stdlib.h>
#include <string.h>

static uint32_t
mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return (uint32_t)x;
}

#define SLOT_BITS 26
#define SLOT_MASK ((1u << SLOT_BITS) - 1)
#define TAG(h)    ((h) & ~SLOT_MASK)

static uint64_t
id_at(const struct dbot__idtable *t, uint32_t slot)
{
    uint64_t id;

    memcpy(&id, t->recs + (size_t)slot * t->rsize, sizeof id);
    return id;
}

void
dbot__idt_init(struct dbot__idtable *t, size_t rsize)
{
    memset(t, 0, sizeof *t);
    t->rsize = (uint32_t)(rsize < 16 ? 16 : rsize);
}

void
dbot__idt_free(struct dbot__idtable *t)
{
    size_t rsize = t->rsize;

    free(t->recs);
    free(t->idx);
    dbot__idt_init(t, rsize);
}

/* The index position holding `id`, or the empty one where it would go. */
static uint32_t
probe(const struct dbot__idtable *t, uint64_t id)
{
    uint32_t h = mix(id), mask = t->icap - 1, i = h & mask, e;

    while ((e = t->idx[i]) != 0 &&
           (TAG(e) != TAG(h) || id_at(t, (e & SLOT_MASK) - 1) != id))
        i = (i + 1) & mask;
    return i;
}

static uint32_t
entry(uint64_t id, uint32_t slot)
{
    return TAG(mix(id)) | (slot + 1);
}

void *
dbot__idt_get(const struct dbot__idtable *t, uint64_t id)
{
    uint32_t i;

    if (!t->icap || id == 0)
        return NULL;
    i = probe(t, id);
    return t->idx[i] ? dbot__idt_slot(t, (t->idx[i] & SLOT_MASK) - 1) : NULL;
}

static int
grow_index(struct dbot__idtable *t, uint32_t want)
{
    uint32_t cap = t->icap ? t->icap : 16, *old = t->idx, ocap = t->icap;

    while ((uint64_t)want * 4 > (uint64_t)cap * 3)
        cap *= 2;
    if (cap == t->icap)
        return 0;
    t->idx = calloc(cap, sizeof *t->idx);
    if (!t->idx) {
        t->idx = old;
        return DBOT_ENOMEM;
    }
    t->icap = cap;
    for (uint32_t i = 0; i < ocap; i++)
        if (old[i])
            t->idx[probe(t, id_at(t, (old[i] & SLOT_MASK) - 1))] = old[i];
    free(old);
    return 0;
}

static int
grow_slab(struct dbot__idtable *t, uint32_t want)
{
    unsigned char *p;

    if (want <= t->capslots)
        return 0;
    p = realloc(t->recs, (size_t)want * t->rsize);
    if (!p)
        return DBOT_ENOMEM;
    t->recs = p;
    t->capslots = want;
    return 0;
}

int
dbot__idt_reserve(struct dbot__idtable *t, uint32_t n)
{
    uint32_t extra = n > t->count ? n - t->count : 0;

    if (grow_index(t, n) < 0)
        return DBOT_ENOMEM;
    /* Free slots are reused first. */
    return grow_slab(t, t->nslots + extra);
}

void *
dbot__idt_put(struct dbot__idtable *t, uint64_t id, int *created)
{
    uint32_t i, slot;
    unsigned char *r;

    *created = 0;
    if (id == 0)
        return NULL;
    if (t->icap) {
        i = probe(t, id);
        if (t->idx[i])
            return dbot__idt_slot(t, (t->idx[i] & SLOT_MASK) - 1);
    }
    if (!t->free_head && t->nslots >= SLOT_MASK - 1)
        return NULL; /* 2^26 records: see the top of this file */
    if (grow_index(t, t->count + 1) < 0)
        return NULL;
    if (t->free_head) {
        slot = t->free_head - 1;
        memcpy(&t->free_head, t->recs + (size_t)slot * t->rsize + 8,
               sizeof t->free_head);
    } else {
        if (t->nslots == t->capslots &&
            grow_slab(t, t->capslots < 4 ? 4 : t->capslots + t->capslots / 2) <
                0)
            return NULL;
        slot = t->nslots++;
    }
    r = t->recs + (size_t)slot * t->rsize;
    memset(r, 0, t->rsize);
    memcpy(r, &id, sizeof id);
    t->idx[probe(t, id)] = entry(id, slot);
    t->count++;
    *created = 1;
    return r;
}

int
dbot__idt_del(struct dbot__idtable *t, uint64_t id)
{
    uint32_t mask, i, j, k, slot;
    unsigned char *r;

    if (!t->icap || id == 0)
        return 0;
    mask = t->icap - 1;
    i = probe(t, id);
    if (!t->idx[i])
        return 0;
    slot = (t->idx[i] & SLOT_MASK) - 1;
    /* Backward shift: pull later entries of the run into the hole unless
     * their home lies cyclically in (hole, their position]. */
    for (j = i;;) {
        j = (j + 1) & mask;
        if (!t->idx[j])
            break;
        k = mix(id_at(t, (t->idx[j] & SLOT_MASK) - 1)) & mask;
        if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
            continue;
        t->idx[i] = t->idx[j];
        i = j;
    }
    t->idx[i] = 0;
    r = t->recs + (size_t)slot * t->rsize;
    memset(r, 0, t->rsize);
    memcpy(r + 8, &t->free_head, sizeof t->free_head);
    t->free_head = slot + 1;
    t->count--;
    return 1;
}

size_t
dbot__idt_bytes(const struct dbot__idtable *t)
{
    return (size_t)t->capslots * t->rsize + (size_t)t->icap * sizeof *t->idx;
}
