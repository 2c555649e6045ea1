/* The interaction-id dedupe set (interaction_seen.c) on a fake clock:
 * duplicates within a token's life, expiry, the cap, memory over hours at
 * a high rate, and a randomized comparison against a plain array. */
#include "check.h"

#include "interaction_seen.h"

#include <dbot/dbot.h>

#include <stdlib.h>
#include <string.h>

#define LIFE (15 * 60 * 1000)

TEST(duplicate_within_life_then_forgotten)
{
    struct dbot__ix_seen s;

    dbot__ix_seen_init(&s, LIFE, 1000);
    ASSERT_EQ(dbot__ix_seen_add(&s, 42, 1000), 0);
    ASSERT_EQ(dbot__ix_seen_add(&s, 42, 1001), 1);
    ASSERT_EQ(dbot__ix_seen_add(&s, 43, 1001), 0);
    /* The window runs from the first arrival; a repeat does not extend
     * it (the token dies 15 min after the interaction was created). */
    ASSERT_EQ(dbot__ix_seen_add(&s, 42, 1000 + LIFE - 1), 1);
    ASSERT_EQ(dbot__ix_seen_add(&s, 42, 1000 + LIFE), 0);
    ASSERT_EQ(dbot__ix_seen_count(&s), 2); /* 42 again, and 43 */
    ASSERT_EQ(dbot__ix_seen_add(&s, 44, 1001 + LIFE), 0);
    ASSERT_EQ(dbot__ix_seen_count(&s), 2); /* 43 expired */
    ASSERT_EQ(dbot__ix_seen_add(&s, 0, 5), DBOT_EINVAL);
    dbot__ix_seen_close(&s);
}

TEST(cap_forgets_the_oldest_first)
{
    struct dbot__ix_seen s;

    dbot__ix_seen_init(&s, LIFE, 100);
    for (uint64_t id = 1; id <= 150; id++)
        ASSERT_EQ(dbot__ix_seen_add(&s, id, 10), 0);
    ASSERT_EQ(dbot__ix_seen_count(&s), 100);
    ASSERT_EQ(s.forgotten_early, 50);
    for (uint64_t id = 51; id <= 150; id++)
        ASSERT_EQ(dbot__ix_seen_add(&s, id, 11), 1);
    ASSERT_EQ(dbot__ix_seen_add(&s, 1, 11), 0);
    dbot__ix_seen_close(&s);
}

/* 5,000 interactions a minute for three hours, each delivered twice (the
 * second time a minute later): every replay is caught, and memory holds
 * one token lifetime of ids, never the three hours. */
TEST(hours_at_a_high_rate_stay_bounded)
{
    struct dbot__ix_seen s;
    const int64_t step = 12; /* ms between interactions: 5,000/min */
    const uint64_t base = 1300000000000000000ull;
    size_t most = 0, most_tab = 0;
    uint64_t k = 0;

    dbot__ix_seen_init(&s, LIFE, 1u << 20);
    for (int64_t t = 0; t < 3LL * 3600 * 1000; t += step, k++) {
        ASSERT_EQ(dbot__ix_seen_add(&s, base + (k << 22), t), 0);
        if (k >= 5000)
            ASSERT_EQ(dbot__ix_seen_add(&s, base + ((k - 5000) << 22), t), 1);
        if (s.n > most)
            most = s.n;
        if (s.tab_cap > most_tab)
            most_tab = s.tab_cap;
    }
    ASSERT_LE(most, (size_t)(LIFE / step) + 1);
    ASSERT_LE(most_tab, 4 * ((size_t)(LIFE / step) + 1));
    ASSERT_EQ(s.forgotten_early, 0);
    /* Idle for a lifetime: the memory goes back. */
    dbot__ix_seen_expire(&s, 4LL * 3600 * 1000);
    ASSERT_EQ(dbot__ix_seen_count(&s), 0);
    for (int i = 0; i < 20; i++)
        dbot__ix_seen_expire(&s, 4LL * 3600 * 1000);
    ASSERT_LE(s.tab_cap, 32);
    ASSERT_LE(s.ring_cap, 16);
    dbot__ix_seen_close(&s);
}

/* Ids from a small range so repeats, collisions, expiries and the
 * backward-shift deletes all happen often; the answer must always match a
 * plain array of first arrivals. */
TEST(matches_a_reference_under_churn)
{
    enum {
        IDS = 3000,
        LIFE_MS = 400
    };
    static int64_t first[IDS + 1];
    struct dbot__ix_seen s;
    uint64_t x = 88172645463325252ull;
    int64_t now = 0;

    memset(first, 0xff, sizeof first); /* -1: never seen */
    dbot__ix_seen_init(&s, LIFE_MS, IDS + 1);
    for (int i = 0; i < 400000; i++) {
        uint64_t id;
        int want;

        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        now += (int64_t)(x % 3);
        id = (x >> 8) % IDS + 1;
        want = first[id] >= 0 && now < first[id] + LIFE_MS;
        ASSERT_EQ(dbot__ix_seen_add(&s, id << 40 | id, now), want);
        if (!want)
            first[id] = now;
    }
    dbot__ix_seen_close(&s);
}

int
main(void)
{
    RUN(duplicate_within_life_then_forgotten);
    RUN(cap_forgets_the_oldest_first);
    RUN(hours_at_a_high_rate_stay_bounded);
    RUN(matches_a_reference_under_churn);
    return 0;
}
