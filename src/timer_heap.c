/*
 * timer_heap.c: a 4-ary min-heap with the position kept in each node.
 *
 * Why 4-ary: a sift-down compares four children per level, but the tree
 * is half as deep as a binary one and the four children are adjacent in
 * memory; inserts (the common case: every interaction arms two timers)
 * only sift up, which costs one comparison per level. Why not a wheel:
 * deadlines here range from 1 ms to hours, and a heap needs no tuning of
 * slot widths; O(log n) is flat enough (bench/bench_timer.c).
 */
#include "timer_heap.h"

#include <dbot/dbot.h>

#include <stdlib.h>

#define ARITY 4

static int
earlier(const struct dbot__heap_node *a, const struct dbot__heap_node *b)
{
    return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void
place(struct dbot__heap *h, size_t i, struct dbot__heap_node *node)
{
    h->v[i] = node;
    node->pos = i;
}

static void
sift_up(struct dbot__heap *h, size_t i)
{
    struct dbot__heap_node *node = h->v[i];

    while (i > 0) {
        size_t parent = (i - 1) / ARITY;

        if (!earlier(node, h->v[parent]))
            break;
        place(h, i, h->v[parent]);
        i = parent;
    }
    place(h, i, node);
}

static void
sift_down(struct dbot__heap *h, size_t i)
{
    struct dbot__heap_node *node = h->v[i];

    for (;;) {
        size_t first = i * ARITY + 1, best = i, end;
        struct dbot__heap_node *best_node = node;

        if (first >= h->n)
            break;
        end = first + ARITY < h->n ? first + ARITY : h->n;
        for (size_t c = first; c < end; c++) {
            if (earlier(h->v[c], best_node)) {
                best = c;
                best_node = h->v[c];
            }
        }
        if (best == i)
            break;
        place(h, i, best_node);
        i = best;
    }
    place(h, i, node);
}

void
dbot__heap_init(struct dbot__heap *h)
{
    h->v = NULL;
    h->n = h->cap = 0;
    h->next_seq = 0;
}

void
dbot__heap_node_init(struct dbot__heap_node *node)
{
    node->due = 0;
    node->seq = 0;
    node->pos = DBOT__HEAP_NONE;
}

void
dbot__heap_free(struct dbot__heap *h)
{
    free(h->v);
    dbot__heap_init(h);
}

int
dbot__heap_armed(const struct dbot__heap_node *node)
{
    return node->pos != DBOT__HEAP_NONE;
}

int
dbot__heap_push(struct dbot__heap *h, struct dbot__heap_node *node, int64_t due)
{
    dbot__heap_remove(h, node);
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        struct dbot__heap_node **v;

        if (cap > SIZE_MAX / sizeof *v)
            return DBOT_ENOMEM;
        v = realloc(h->v, cap * sizeof *v);
        if (!v)
            return DBOT_ENOMEM;
        h->v = v;
        h->cap = cap;
    }
    node->due = due;
    node->seq = h->next_seq++;
    h->v[h->n] = node;
    node->pos = h->n++;
    sift_up(h, node->pos);
    return 0;
}

void
dbot__heap_remove(struct dbot__heap *h, struct dbot__heap_node *node)
{
    size_t i = node->pos;
    struct dbot__heap_node *last;

    if (i == DBOT__HEAP_NONE || i >= h->n || h->v[i] != node)
        return;
    node->pos = DBOT__HEAP_NONE;
    last = h->v[--h->n];
    if (i == h->n)
        return; /* it was the last one */
    place(h, i, last);
    /* The moved node may belong above or below its new place. */
    if (i > 0 && earlier(last, h->v[(i - 1) / ARITY]))
        sift_up(h, i);
    else
        sift_down(h, i);
}

struct dbot__heap_node *
dbot__heap_peek(const struct dbot__heap *h)
{
    return h->n ? h->v[0] : NULL;
}
