/*
 * test_rest_calls.c: the checks the typed REST calls make before sending
 * (rest_calls.c), at their edges: the bulk-delete count 2..100, duplicate
 * and zero ids, the 14-day age to the millisecond from a snowflake; the
 * audit-log reason's 512 characters counted as code points, not bytes.
 */
#include "../check.h"

#include "rest_calls.h"

#include <string.h>

#define EPOCH 1420070400000LL
#define DAY   (24LL * 3600 * 1000)

static uint64_t
id_at(int64_t unix_ms, unsigned seq)
{
    return ((uint64_t)(unix_ms - EPOCH) << 22) | seq;
}

TEST(bulk_delete_limits)
{
    int64_t now = 1796306400000LL; /* 2026-12-03 14:00 UTC */
    uint64_t ids[101];

    for (unsigned i = 0; i < 101; i++)
        ids[i] = id_at(now - 1000, i);
    ASSERT_EQ(dbot__bulk_delete_check(ids, 2, now), 0);
    ASSERT_EQ(dbot__bulk_delete_check(ids, 100, now), 0);
    ASSERT_EQ(dbot__bulk_delete_check(ids, 1, now), DBOT_EINVAL);
    ASSERT_EQ(dbot__bulk_delete_check(ids, 101, now), DBOT_EINVAL);
    ASSERT_EQ(dbot__bulk_delete_check(NULL, 2, now), DBOT_EINVAL);
    /* exactly 14 days old still goes; a millisecond more does not */
    ids[1] = id_at(now - 14 * DAY, 0);
    ASSERT_EQ(dbot__bulk_delete_check(ids, 2, now), 0);
    ids[1] = id_at(now - 14 * DAY - 1, 0);
    ASSERT_EQ(dbot__bulk_delete_check(ids, 2, now), DBOT_EINVAL);
    ids[1] = ids[0];
    ASSERT_EQ(dbot__bulk_delete_check(ids, 2, now), DBOT_EINVAL);
    ids[1] = 0;
    ASSERT_EQ(dbot__bulk_delete_check(ids, 2, now), DBOT_EINVAL);
}

TEST(reason_counts_characters)
{
    char r[2048];

    ASSERT_EQ(dbot__rest_reason_check(NULL, "t"), 0);
    ASSERT_EQ(dbot__rest_reason_check("", "t"), 0);
    /* 512 three-byte characters: 1536 bytes, still 512 characters */
    r[0] = '\0';
    for (int i = 0; i < 512; i++)
        strcat(r, "€");
    ASSERT_EQ(dbot__rest_reason_check(r, "t"), 0);
    strcat(r, "x");
    ASSERT_EQ(dbot__rest_reason_check(r, "t"), DBOT_EINVAL);
    ASSERT_EQ(dbot__rest_reason_check("bad \xc3", "t"), DBOT_EINVAL);
}

int
main(void)
{
    RUN(bulk_delete_limits);
    RUN(reason_counts_characters);
    return 0;
}
