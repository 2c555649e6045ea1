/*
 * idtable.h: fixed-size records keyed by a 64-bit id (a Discord snowflake),
 * for the cache. Records live in one array (a slab with a free list), so a
 * record costs its size and nothing per allocation; a separate open-
 * addressing index of 32-bit slot numbers finds them (linear probing,
 * backward-shift deletion, no tombstones).
 *
 * A record's first 8 bytes are its id; id 0 marks a free slot (Discord never
 * uses 0). Pointers to records are valid until the next put (the slab may
 * move); deleting never moves other records, so a loop over the slots may
 * delete as it goes. Single-threaded (the loop).
 */
#ifndef DBOT_SRC_IDTABLE_H
#define DBOT_SRC_IDTABLE_H

#include <stddef.h>
#include <stdint.h>

struct dbot__idtable {
    unsigned char *recs; /* nslots records of rsize bytes */
    uint32_t rsize;      /* >= 16: a free slot keeps its next link at 8 */
    uint32_t nslots;     /* slots handed out so far (used or free) */
    uint32_t capslots;   /* allocated */
    uint32_t count;      /* records in use */
    uint32_t free_head;  /* slot + 1 of the first free slot, 0: none */
    uint32_t *idx;       /* slot + 1, 0: empty */
    uint32_t icap;       /* power of two, 0 before the first put */
};

void dbot__idt_init(struct dbot__idtable *t, size_t rsize);
void dbot__idt_free(struct dbot__idtable *t);

/* The record with this id, or NULL. */
void *dbot__idt_get(const struct dbot__idtable *t, uint64_t id);

/* The record with this id, created zeroed (but for its id) when absent,
 * with *created set to 1 then. NULL when out of memory. */
void *dbot__idt_put(struct dbot__idtable *t, uint64_t id, int *created);

/* Remove the record with this id, if present. Returns 1 if it was. */
int dbot__idt_del(struct dbot__idtable *t, uint64_t id);

/* Make room for `n` records in all, so a known count (a guild's
 * member_count) costs no growth slack. Returns 0 or DBOT_ENOMEM. */
int dbot__idt_reserve(struct dbot__idtable *t, uint32_t n);

/* Slot i (0 <= i < t->nslots); its id is 0 when the slot is free. */
static inline void *
dbot__idt_slot(const struct dbot__idtable *t, uint32_t i)
{
    return t->recs + (size_t)i * t->rsize;
}

/* Bytes held (slab and index). */
size_t dbot__idt_bytes(const struct dbot__idtable *t);

#endif
