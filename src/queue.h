/*
 * queue.h: an intrusive circular doubly linked list, after libuv's
 * queue.h. The link lives inside the element, so putting an element on a
 * queue never allocates and removing it is O(1) from anywhere; the head is
 * a link too, and an empty queue is a head that points at itself.
 *
 *   struct job { struct dbot__queue link; ... };
 *   struct dbot__queue pending;
 *   dbot__queue_init(&pending);
 *   dbot__queue_insert_tail(&pending, &j->link);
 *   dbot__queue_foreach(q, &pending) {
 *       struct job *j = dbot__queue_data(q, struct job, link);
 *   }
 *
 * dbot__queue_foreach must not remove the element it stands on; to drain,
 * loop on dbot__queue_empty() and take dbot__queue_head(). Leaf: includes
 * nothing of dbot.
 */
#ifndef DBOT_SRC_QUEUE_H
#define DBOT_SRC_QUEUE_H

#include <stddef.h>

struct dbot__queue {
    struct dbot__queue *next;
    struct dbot__queue *prev;
};

#define dbot__queue_data(ptr, type, field) \
    ((type *)((char *)(ptr)-offsetof(type, field)))

#define dbot__queue_foreach(q, h) \
    for ((q) = (h)->next; (q) != (h); (q) = (q)->next)

static inline void
dbot__queue_init(struct dbot__queue *q)
{
    q->next = q;
    q->prev = q;
}

static inline int
dbot__queue_empty(const struct dbot__queue *q)
{
    return q == q->next;
}

/* The first element, or NULL when empty. */
static inline struct dbot__queue *
dbot__queue_head(const struct dbot__queue *q)
{
    return q->next == q ? NULL : q->next;
}

static inline void
dbot__queue_insert_tail(struct dbot__queue *h, struct dbot__queue *q)
{
    q->next = h;
    q->prev = h->prev;
    q->prev->next = q;
    h->prev = q;
}

static inline void
dbot__queue_insert_head(struct dbot__queue *h, struct dbot__queue *q)
{
    q->next = h->next;
    q->prev = h;
    q->next->prev = q;
    h->next = q;
}

/* Unlink q from whatever queue holds it; q is left pointing at itself, so
 * removing it twice is harmless. */
static inline void
dbot__queue_remove(struct dbot__queue *q)
{
    q->prev->next = q->next;
    q->next->prev = q->prev;
    dbot__queue_init(q);
}

/* Move every element of h to the tail of n (h is left empty). */
static inline void
dbot__queue_move(struct dbot__queue *h, struct dbot__queue *n)
{
    if (dbot__queue_empty(h))
        return;
    n->prev->next = h->next;
    h->next->prev = n->prev;
    h->prev->next = n;
    n->prev = h->prev;
    dbot__queue_init(h);
}

#endif
