/*
 * intern.c: see intern.h. The index is open addressing over slot numbers
 * (linear probing, backward-shift deletion); an entry's hash is FNV-1a of
 * its bytes, recomputed when the index grows rather than stored, to keep
 * the slot at 32 bytes. As in idtable.c, an index entry keeps 6 bits of
 * the hash above a 26-bit slot number, so most probes past other entries
 * never touch their slots.
 */
#include "intern.h"

#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#define SLOT_BITS 26
#define SLOT_MASK ((1u << SLOT_BITS) - 1)
#define TAG(h)    ((h) & ~SLOT_MASK)

static const unsigned char *
bytes_of(const struct dbot__intern_slot *s)
{
    return s->len < DBOT__INTERN_INLINE ? s->u.inl : s->u.p;
}

static uint32_t
hash_of(const void *data, size_t len)
{
    uint64_t h = dbot__fnv1a(data, len);

    return (uint32_t)(h ^ (h >> 32)); /* FNV's low bits alone are weak */
}

void
dbot__intern_init(struct dbot__intern *in)
{
    memset(in, 0, sizeof *in);
}

void
dbot__intern_free(struct dbot__intern *in)
{
    for (uint32_t i = 0; i < in->n; i++)
        if (in->v[i].ref && in->v[i].len >= DBOT__INTERN_INLINE)
            free(in->v[i].u.p);
    free(in->v);
    free(in->idx);
    dbot__intern_init(in);
}

static uint32_t
probe(const struct dbot__intern *in, const void *data, size_t len, uint32_t h)
{
    uint32_t mask = in->icap - 1, i = h & mask;

    for (; in->idx[i]; i = (i + 1) & mask) {
        const struct dbot__intern_slot *s;

        if (TAG(in->idx[i]) != TAG(h))
            continue;
        s = &in->v[(in->idx[i] & SLOT_MASK) - 1];
        if (s->len == len && memcmp(bytes_of(s), data, len) == 0)
            break;
    }
    return i;
}

static int
grow_index(struct dbot__intern *in)
{
    uint32_t cap = in->icap ? in->icap : 64, *old = in->idx, ocap = in->icap;

    while ((uint64_t)(in->count + 1) * 4 > (uint64_t)cap * 3)
        cap *= 2;
    if (cap == in->icap)
        return 0;
    in->idx = calloc(cap, sizeof *in->idx);
    if (!in->idx) {
        in->idx = old;
        return -1;
    }
    in->icap = cap;
    for (uint32_t i = 0; i < ocap; i++) {
        if (old[i]) {
            const struct dbot__intern_slot *s =
                &in->v[(old[i] & SLOT_MASK) - 1];
            const unsigned char *b = bytes_of(s);

            in->idx[probe(in, b, s->len, hash_of(b, s->len))] = old[i];
        }
    }
    free(old);
    return 0;
}

static int
take_slot(struct dbot__intern *in, uint32_t *slot)
{
    struct dbot__intern_slot *v;
    uint32_t cap;

    if (in->free_head) {
        *slot = in->free_head - 1;
        in->free_head = in->v[*slot].len;
        return 0;
    }
    if (in->n == in->cap) {
        cap = in->cap < 64 ? 64 : in->cap + in->cap / 2;
        v = realloc(in->v, (size_t)cap * sizeof *v);
        if (!v)
            return -1;
        in->v = v;
        in->cap = cap;
    }
    *slot = in->n++;
    return 0;
}

uint32_t
dbot__intern_add(struct dbot__intern *in, const void *data, size_t len)
{
    uint32_t h, i, slot;
    struct dbot__intern_slot *s;

    if (len == 0 || len > UINT32_MAX - 1)
        return 0;
    h = hash_of(data, len);
    if (in->icap) {
        i = probe(in, data, len, h);
        if (in->idx[i]) {
            in->v[(in->idx[i] & SLOT_MASK) - 1].ref++;
            return (in->idx[i] & SLOT_MASK);
        }
    }
    if ((!in->free_head && in->n >= SLOT_MASK - 1) || grow_index(in) < 0 ||
        take_slot(in, &slot) < 0)
        return 0;
    s = &in->v[slot];
    s->len = (uint32_t)len;
    if (len < DBOT__INTERN_INLINE) {
        memcpy(s->u.inl, data, len);
        s->u.inl[len] = 0;
    } else {
        s->u.p = malloc(len + 1);
        if (!s->u.p) {
            s->len = in->free_head;
            s->ref = 0;
            in->free_head = slot + 1;
            return 0;
        }
        memcpy(s->u.p, data, len);
        s->u.p[len] = 0;
        in->heap += len + 1;
    }
    s->ref = 1;
    in->idx[probe(in, data, len, h)] = TAG(h) | (slot + 1);
    in->count++;
    return slot + 1;
}

void
dbot__intern_unref(struct dbot__intern *in, uint32_t id)
{
    struct dbot__intern_slot *s;
    uint32_t mask, i, j, k;
    const unsigned char *b;

    if (id == 0 || id > in->n)
        return;
    s = &in->v[id - 1];
    if (s->ref == 0 || --s->ref > 0)
        return;
    b = bytes_of(s);
    mask = in->icap - 1;
    i = probe(in, b, s->len, hash_of(b, s->len));
    for (j = i;;) {
        const struct dbot__intern_slot *o;

        j = (j + 1) & mask;
        if (!in->idx[j])
            break;
        o = &in->v[(in->idx[j] & SLOT_MASK) - 1];
        k = hash_of(bytes_of(o), o->len) & mask;
        if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
            continue;
        in->idx[i] = in->idx[j];
        i = j;
    }
    in->idx[i] = 0;
    if (s->len >= DBOT__INTERN_INLINE) {
        in->heap -= s->len + 1;
        free(s->u.p);
    }
    s->len = in->free_head;
    in->free_head = id;
    in->count--;
}

const void *
dbot__intern_data(const struct dbot__intern *in, uint32_t id, size_t *len)
{
    const struct dbot__intern_slot *s;

    if (id == 0 || id > in->n || in->v[id - 1].ref == 0) {
        if (len)
            *len = 0;
        return NULL;
    }
    s = &in->v[id - 1];
    if (len)
        *len = s->len;
    return bytes_of(s);
}

size_t
dbot__intern_bytes(const struct dbot__intern *in)
{
    return (size_t)in->cap * sizeof *in->v +
           (size_t)in->icap * sizeof *in->idx + in->heap;
}
