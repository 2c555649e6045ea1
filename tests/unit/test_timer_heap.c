/*
 * test_timer_heap.c: the 4-ary heap under the loop's timers. Random
 * pushes, moves and removes are checked against a plain array after every
 * step (the earliest is the true minimum, ties in arming order, every
 * node's pos points back at it), then the heap is drained in order.
 */
#include "timer_heap.h"

#include "../check.h"

#include <stdint.h>
#include <stdlib.h>

#define N 2000

static struct dbot__heap_node nodes[N];

static uint64_t rng = 88172645463325252ull;

static uint64_t
next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Every position is consistent and the parent is never later. */
static void
check_shape(const struct dbot__heap *h)
{
    for (size_t i = 0; i < h->n; i++) {
        const struct dbot__heap_node *p, *c = h->v[i];

        ASSERT_EQ(c->pos, i);
        if (i == 0)
            continue;
        p = h->v[(i - 1) / 4];
        ASSERT_TRUE(p->due < c->due || (p->due == c->due && p->seq < c->seq));
    }
}

static const struct dbot__heap_node *
true_min(void)
{
    const struct dbot__heap_node *m = NULL;

    for (int i = 0; i < N; i++) {
        const struct dbot__heap_node *x = &nodes[i];

        if (!dbot__heap_armed(x))
            continue;
        if (!m || x->due < m->due || (x->due == m->due && x->seq < m->seq))
            m = x;
    }
    return m;
}

static void
test_random_ops(void)
{
    struct dbot__heap h;
    int64_t last_due = INT64_MIN;
    uint64_t last_seq = 0;
    size_t armed = 0;

    dbot__heap_init(&h);
    for (int i = 0; i < N; i++)
        dbot__heap_node_init(&nodes[i]);
    for (int step = 0; step < 20000; step++) {
        struct dbot__heap_node *x = &nodes[next_rand() % N];
        int op = (int)(next_rand() % 3);

        if (op < 2) {
            armed += !dbot__heap_armed(x);
            /* Few distinct deadlines, so ties are common. */
            ASSERT_EQ(dbot__heap_push(&h, x, (int64_t)(next_rand() % 50)), 0);
        } else {
            armed -= dbot__heap_armed(x);
            dbot__heap_remove(&h, x);
            ASSERT_TRUE(!dbot__heap_armed(x));
        }
        ASSERT_EQ(h.n, armed);
        ASSERT_TRUE(dbot__heap_peek(&h) == true_min());
        if (step % 97 == 0)
            check_shape(&h);
    }
    /* Drain: non-decreasing deadlines, ties in arming order. */
    while (dbot__heap_peek(&h)) {
        struct dbot__heap_node *top = dbot__heap_peek(&h);

        ASSERT_TRUE(top->due > last_due ||
                    (top->due == last_due && top->seq > last_seq));
        last_due = top->due;
        last_seq = top->seq;
        dbot__heap_remove(&h, top);
        armed--;
    }
    ASSERT_EQ(armed, 0);
    dbot__heap_free(&h);
}

static void
test_edges(void)
{
    struct dbot__heap h, other;
    struct dbot__heap_node a, b;

    dbot__heap_init(&h);
    dbot__heap_init(&other);
    dbot__heap_node_init(&a);
    dbot__heap_node_init(&b);
    ASSERT_TRUE(dbot__heap_peek(&h) == NULL);
    dbot__heap_remove(&h, &a); /* not armed: no-op */
    ASSERT_EQ(dbot__heap_push(&h, &a, 10), 0);
    ASSERT_EQ(dbot__heap_push(&h, &b, 10), 0);
    ASSERT_TRUE(dbot__heap_peek(&h) == &a);    /* tie: arming order */
    ASSERT_EQ(dbot__heap_push(&h, &a, 10), 0); /* re-armed: now after b */
    ASSERT_TRUE(dbot__heap_peek(&h) == &b);
    ASSERT_EQ(h.n, 2);
    /* A node of another heap is not removed from this one by mistake. */
    dbot__heap_remove(&other, &a);
    ASSERT_EQ(h.n, 2);
    ASSERT_TRUE(dbot__heap_armed(&a));
    dbot__heap_remove(&h, &b);
    dbot__heap_remove(&h, &a);
    ASSERT_EQ(h.n, 0);
    dbot__heap_free(&h);
    dbot__heap_free(&other);
}

int
main(void)
{
    test_edges();
    test_random_ops();
    printf("timer_heap: ok\n");
    return 0;
}
