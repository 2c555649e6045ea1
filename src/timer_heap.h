/*
 * timer_heap.h: a 4-ary min-heap of deadlines, the one timer structure of
 * dbot (the loop's timers, the interaction deadlines and the public
 * dbot_timer_* calls all sit on it).
 *
 * Each node is embedded in its owner (a timer, an interaction) and keeps
 * its own position in the heap array, so cancelling is a sift from that
 * position: O(log n) for insert and cancel, O(1) to read the earliest.
 * lws's sorted list, which this replaces for per-interaction timers, is
 * linear in the number of pending timers on every insert.
 *
 * Ties on `due` fire in insertion order (a sequence number breaks them),
 * so two timers armed for the same millisecond run as they were armed.
 *
 * Pure leaf: no clock, no loop, no threads. The caller passes the time in
 * and owns every node; the heap owns only its array of pointers.
 */
#ifndef DBOT_SRC_TIMER_HEAP_H
#define DBOT_SRC_TIMER_HEAP_H

#include <stddef.h>
#include <stdint.h>

#define DBOT__HEAP_NONE SIZE_MAX /* pos of a node not in any heap */

struct dbot__heap_node {
    int64_t due;  /* when it expires, in the caller's unit (ms) */
    uint64_t seq; /* arming order, to break ties */
    size_t pos;   /* index in the heap array, or DBOT__HEAP_NONE */
};

struct dbot__heap {
    struct dbot__heap_node **v; /* v[0] is the earliest */
    size_t n, cap;
    uint64_t next_seq;
};

/* An empty heap (no allocation yet), and a node that is in no heap. */
void dbot__heap_init(struct dbot__heap *h);
void dbot__heap_node_init(struct dbot__heap_node *node);

/* Free the array. Nodes still in the heap are left alone (their pos is
 * stale): the owner cancels or frees them first. */
void dbot__heap_free(struct dbot__heap *h);

/* Put node in with deadline `due`; a node already in the heap moves.
 * Returns 0, or DBOT_ENOMEM when the array cannot grow (the node is then
 * in no heap). */
int dbot__heap_push(struct dbot__heap *h, struct dbot__heap_node *node,
                    int64_t due);

/* Take node out; a node in no heap is a no-op. */
void dbot__heap_remove(struct dbot__heap *h, struct dbot__heap_node *node);

/* The earliest node, or NULL when empty. */
struct dbot__heap_node *dbot__heap_peek(const struct dbot__heap *h);

/* 1 when node is in a heap. */
int dbot__heap_armed(const struct dbot__heap_node *node);

#endif
