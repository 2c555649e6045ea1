/*
 * test_leaves.c: the shared leaf headers: the intrusive queue keeps order
 * through inserts, removals and moves; the random generator is seeded
 * apart and stays in range; the clock never goes backwards.
 */
#include "../check.h"

#include "clock.h"
#include "queue.h"
#include "rand.h"

struct item {
    int v;
    struct dbot__queue link;
};

static int
collect(struct dbot__queue *h, int *out, int max)
{
    struct dbot__queue *q;
    int n = 0;

    dbot__queue_foreach(q, h) {
        if (n < max)
            out[n] = dbot__queue_data(q, struct item, link)->v;
        n++;
    }
    return n;
}

TEST(queue_order_remove_move)
{
    struct dbot__queue a, b;
    struct item it[5];
    int got[8];

    dbot__queue_init(&a);
    dbot__queue_init(&b);
    ASSERT_TRUE(dbot__queue_empty(&a));
    ASSERT_TRUE(dbot__queue_head(&a) == NULL);
    for (int i = 0; i < 5; i++) {
        it[i].v = i;
        if (i == 0)
            dbot__queue_insert_head(&a, &it[i].link);
        else
            dbot__queue_insert_tail(&a, &it[i].link);
    }
    ASSERT_EQ(collect(&a, got, 8), 5);
    for (int i = 0; i < 5; i++)
        ASSERT_EQ(got[i], i);
    /* Remove from the middle, the head and the tail; twice is harmless. */
    dbot__queue_remove(&it[2].link);
    dbot__queue_remove(&it[2].link);
    dbot__queue_remove(&it[0].link);
    dbot__queue_remove(&it[4].link);
    ASSERT_EQ(collect(&a, got, 8), 2);
    ASSERT_EQ(got[0], 1);
    ASSERT_EQ(got[1], 3);
    ASSERT_TRUE(dbot__queue_head(&a) == &it[1].link);
    /* Move appends to the destination and empties the source. */
    dbot__queue_insert_tail(&b, &it[4].link);
    dbot__queue_move(&a, &b);
    ASSERT_TRUE(dbot__queue_empty(&a));
    ASSERT_EQ(collect(&b, got, 8), 3);
    ASSERT_EQ(got[0], 4);
    ASSERT_EQ(got[1], 1);
    ASSERT_EQ(got[2], 3);
    dbot__queue_move(&a, &b); /* empty source: nothing changes */
    ASSERT_EQ(collect(&b, got, 8), 3);
}

TEST(rand_seeded_apart_and_in_range)
{
    static uint64_t s1, s2; /* their addresses seed them apart */
    uint64_t hist[10] = { 0 };

    s1 = dbot__rand_seed(&s1);
    s2 = dbot__rand_seed(&s2);
    ASSERT_TRUE(s1 != 0 && s2 != 0);
    ASSERT_TRUE(s1 != s2);
    ASSERT_TRUE(dbot__rand_next(&s1) != dbot__rand_next(&s2));
    for (int i = 0; i < 100000; i++) {
        uint64_t v = dbot__rand_below(&s1, 10);

        ASSERT_TRUE(v < 10);
        hist[v]++;
    }
    /* Roughly uniform: each bucket within 10% of 10,000. */
    for (int i = 0; i < 10; i++)
        ASSERT_TRUE(hist[i] > 9000 && hist[i] < 11000);
    ASSERT_EQ(dbot__rand_below(&s1, 0), 0);
}

TEST(clock_is_monotonic)
{
    int64_t prev = dbot__clock_ns();

    for (int i = 0; i < 1000; i++) {
        int64_t now = dbot__clock_ns();

        ASSERT_TRUE(now >= prev);
        prev = now;
    }
    ASSERT_TRUE(dbot__clock_ms() >= prev / 1000000);
}

int
main(void)
{
    RUN(queue_order_remove_move);
    RUN(rand_seeded_apart_and_in_range);
    RUN(clock_is_monotonic);
    return 0;
}
