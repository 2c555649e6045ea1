/*
 * intern.h: interned, reference-counted byte strings for the cache: names,
 * avatar hashes, and also sorted role-id sets and permission overwrites,
 * which many members and channels share. An entry is named by a 32-bit id
 * (0: none), so a cached record spends 4 bytes on each such field.
 *
 * Short entries (up to 23 bytes) are stored inside the 32-byte slot, so
 * most names cost no allocation of their own. Every entry is followed by
 * a NUL, so a string's data is a C string. Data pointers are valid until
 * the next add (the slot array may move). Single-threaded (the loop).
 */
#ifndef DBOT_SRC_INTERN_H
#define DBOT_SRC_INTERN_H

#include <stddef.h>
#include <stdint.h>

#define DBOT__INTERN_INLINE 24

struct dbot__intern_slot {
    uint32_t ref; /* 0: free (then `len` links the next free slot) */
    uint32_t len;
    union {
        unsigned char inl[DBOT__INTERN_INLINE];
        unsigned char *p;
    } u;
};

struct dbot__intern {
    struct dbot__intern_slot *v;
    uint32_t n, cap, count, free_head;
    uint32_t *idx; /* slot + 1, 0: empty */
    uint32_t icap; /* power of two */
    size_t heap;   /* bytes of out-of-slot data */
};

void dbot__intern_init(struct dbot__intern *in);
void dbot__intern_free(struct dbot__intern *in);

/* The id of an entry equal to (data, len), its count raised by one (a new
 * entry starts at one). 0 when len is 0 or out of memory. */
uint32_t dbot__intern_add(struct dbot__intern *in, const void *data,
                          size_t len);
static inline uint32_t
dbot__intern_str(struct dbot__intern *in, const char *s, size_t len)
{
    return dbot__intern_add(in, s, len);
}

/* Drop one reference; the entry goes with its last. 0 is a no-op. */
void dbot__intern_unref(struct dbot__intern *in, uint32_t id);

/* The entry's bytes (NUL-terminated) and length, or NULL for 0. */
const void *dbot__intern_data(const struct dbot__intern *in, uint32_t id,
                              size_t *len);

/* Bytes held: slots, index and out-of-slot data. */
size_t dbot__intern_bytes(const struct dbot__intern *in);

#endif
