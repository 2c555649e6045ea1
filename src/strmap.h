/*
 * strmap.h: a small intrusive string-keyed hash map (chaining, power-of-two
 * table that doubles at load 1). Used by the rate limiter, whose maps hold
 * lanes, buckets and routes.
 *
 * A struct dbot__strmap_node is the first member of the object it indexes;
 * the map owns the node's key copy, never the object.
 */
#ifndef DBOT_SRC_STRMAP_H
#define DBOT_SRC_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct dbot__strmap_node {
    struct dbot__strmap_node *next;
    uint64_t h;
    char *key;
};

struct dbot__strmap {
    struct dbot__strmap_node **tab;
    size_t cap; /* power of two, 0 before the first insert */
    size_t n;
};

/* 64-bit FNV-1a. */
uint64_t dbot__fnv1a(const char *s, size_t len);

struct dbot__strmap_node *dbot__strmap_find(const struct dbot__strmap *m,
                                            const char *key);
/* Insert `n` under a copy of `key`, which must not be present.
 * Returns 0 or DBOT_ENOMEM. */
int dbot__strmap_insert(struct dbot__strmap *m, struct dbot__strmap_node *n,
                        const char *key);
/* Unlink `n` and free its key (not the object). */
void dbot__strmap_remove(struct dbot__strmap *m, struct dbot__strmap_node *n);
/* Free the table; the objects must have been freed or unlinked. */
void dbot__strmap_free(struct dbot__strmap *m);

#endif
