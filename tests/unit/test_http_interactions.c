/* The Interactions Endpoint's timestamp window (http_interactions.c):
 * a request signed too long ago or too far ahead is refused, whatever its
 * signature, so a captured one cannot be replayed later; anything that is
 * not a plain number of seconds is refused too. */
#include "check.h"

#include "http_interactions.h"

TEST(timestamps_inside_the_window_both_ways)
{
    const int64_t now = 1800000000;

    ASSERT_EQ(dbot__http_ix_fresh("1800000000", now, 30), 1);
    ASSERT_EQ(dbot__http_ix_fresh("1799999970", now, 30), 1);
    ASSERT_EQ(dbot__http_ix_fresh("1800000030", now, 30), 1);
    ASSERT_EQ(dbot__http_ix_fresh("1799999969", now, 30), 0); /* stale */
    ASSERT_EQ(dbot__http_ix_fresh("1800000031", now, 30), 0); /* future */
    ASSERT_EQ(dbot__http_ix_fresh("0", now, 900), 0);
}

TEST(only_plain_seconds_are_timestamps)
{
    const int64_t now = 1800000000;

    ASSERT_EQ(dbot__http_ix_fresh(NULL, now, 30), 0);
    ASSERT_EQ(dbot__http_ix_fresh("", now, 30), 0);
    ASSERT_EQ(dbot__http_ix_fresh("+1800000000", now, 30), 0);
    ASSERT_EQ(dbot__http_ix_fresh("1800000000 ", now, 30), 0);
    ASSERT_EQ(dbot__http_ix_fresh("1800000000.5", now, 30), 0);
    ASSERT_EQ(dbot__http_ix_fresh("1800000000000", now, 30), 0); /* ms */
    ASSERT_EQ(dbot__http_ix_fresh("99999999999999999999999", now, 30), 0);
}

int
main(void)
{
    RUN(timestamps_inside_the_window_both_ways);
    RUN(only_plain_seconds_are_timestamps);
    return 0;
}
