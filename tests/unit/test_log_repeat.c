/*
 * test_log_repeat.c: the repeated-line collapser. A storm of one line
 * becomes the line, then one "(repeated N times)" line per window; a
 * different line ends a run at once and keeps the order; the flush reports
 * a run that stopped; levels and truncated text compare as documented.
 */
#include "../check.h"
#include "log_repeat.h"

#include <dbot/dbot.h>

#define MAX_OUT 64

static char out[MAX_OUT][DBOT__LOG_REPEAT_LINE + 64];
static int out_level[MAX_OUT];
static int nout;

static void
capture(void *ud, int level, const char *line)
{
    (void)ud;
    ASSERT_TRUE(nout < MAX_OUT);
    snprintf(out[nout], sizeof out[0], "%s", line);
    out_level[nout++] = level;
}

static int
feed(struct dbot__log_repeat *r, int level, const char *line, int64_t now)
{
    return dbot__log_repeat_feed(r, level, line, now, capture, NULL);
}

TEST(storm_is_one_line_per_window)
{
    struct dbot__log_repeat r;

    nout = 0;
    dbot__log_repeat_init(&r, 1000);
    ASSERT_EQ(feed(&r, DBOT_LOG_WARN, "accept: errno 24", 0), 0);
    /* 100,000 identical lines within the window: nothing more. */
    for (int i = 0; i < 100000; i++)
        ASSERT_EQ(feed(&r, DBOT_LOG_WARN, "accept: errno 24", i / 100), 1);
    ASSERT_EQ(nout, 1);
    ASSERT_STREQ(out[0], "accept: errno 24");
    ASSERT_EQ(out_level[0], DBOT_LOG_WARN);
    /* The first one after the window writes the count, which includes it;
     * the storm goes on and the next window collapses the same way. */
    ASSERT_EQ(feed(&r, DBOT_LOG_WARN, "accept: errno 24", 1000), 0);
    ASSERT_EQ(nout, 2);
    ASSERT_STREQ(out[1], "accept: errno 24 (repeated 100001 times)");
    ASSERT_EQ(out_level[1], DBOT_LOG_WARN);
    for (int i = 0; i < 5; i++)
        feed(&r, DBOT_LOG_WARN, "accept: errno 24", 1500);
    ASSERT_EQ(nout, 2);
    feed(&r, DBOT_LOG_WARN, "accept: errno 24", 2000);
    ASSERT_EQ(nout, 3);
    ASSERT_STREQ(out[2], "accept: errno 24 (repeated 6 times)");
    dbot__log_repeat_close(&r, capture, NULL);
    ASSERT_EQ(nout, 3);
}

TEST(a_different_line_ends_the_run_first)
{
    struct dbot__log_repeat r;

    nout = 0;
    dbot__log_repeat_init(&r, 1000);
    feed(&r, DBOT_LOG_WARN, "a", 0);
    feed(&r, DBOT_LOG_WARN, "a", 1);
    feed(&r, DBOT_LOG_WARN, "a", 2);
    ASSERT_EQ(feed(&r, DBOT_LOG_WARN, "b", 3), 0);
    ASSERT_EQ(nout, 3);
    ASSERT_STREQ(out[0], "a");
    ASSERT_STREQ(out[1], "a (repeated 2 times)");
    ASSERT_STREQ(out[2], "b");
    /* Alternating lines are all written: nothing repeats. */
    feed(&r, DBOT_LOG_WARN, "a", 4);
    feed(&r, DBOT_LOG_WARN, "b", 5);
    ASSERT_EQ(nout, 5);
    /* The same text at another level is another line. */
    ASSERT_EQ(feed(&r, DBOT_LOG_DEBUG, "b", 6), 0);
    ASSERT_EQ(nout, 6);
    ASSERT_EQ(out_level[5], DBOT_LOG_DEBUG);
    /* A line repeated once after its window has nothing to summarize. */
    ASSERT_EQ(feed(&r, DBOT_LOG_DEBUG, "b", 5000), 0);
    ASSERT_EQ(nout, 7);
    ASSERT_STREQ(out[6], "b");
    dbot__log_repeat_close(&r, capture, NULL);
}

TEST(flush_reports_a_run_that_stopped)
{
    struct dbot__log_repeat r;

    nout = 0;
    dbot__log_repeat_init(&r, 1000);
    feed(&r, DBOT_LOG_WARN, "x", 0);
    feed(&r, DBOT_LOG_WARN, "x", 10);
    dbot__log_repeat_flush(&r, 999, capture, NULL); /* window not over */
    ASSERT_EQ(nout, 1);
    dbot__log_repeat_flush(&r, 1000, capture, NULL);
    ASSERT_EQ(nout, 2);
    ASSERT_STREQ(out[1], "x (repeated 1 times)");
    dbot__log_repeat_flush(&r, 5000, capture, NULL); /* nothing held */
    ASSERT_EQ(nout, 2);
    /* The summary opened a new window; closing writes what it holds. */
    ASSERT_EQ(feed(&r, DBOT_LOG_WARN, "x", 1500), 1);
    dbot__log_repeat_close(&r, capture, NULL);
    ASSERT_EQ(nout, 3);
    ASSERT_STREQ(out[2], "x (repeated 1 times)");
}

TEST(long_lines_compare_on_their_kept_prefix)
{
    struct dbot__log_repeat r;
    char a[2000], b[2000];

    nout = 0;
    memset(a, 'a', sizeof a - 1);
    a[sizeof a - 1] = '\0';
    memcpy(b, a, sizeof b);
    b[sizeof b - 2] = 'b'; /* differs past the kept prefix */
    dbot__log_repeat_init(&r, 0);
    ASSERT_EQ(r.window_ms, DBOT__LOG_REPEAT_WINDOW_MS);
    feed(&r, DBOT_LOG_WARN, a, 0);
    ASSERT_EQ(feed(&r, DBOT_LOG_WARN, b, 1), 1);
    dbot__log_repeat_close(&r, capture, NULL);
    ASSERT_EQ(nout, 2);
    ASSERT_EQ(strlen(out[1]),
              DBOT__LOG_REPEAT_LINE - 1 + strlen(" (repeated 1 times)"));
}

int
main(void)
{
    RUN(storm_is_one_line_per_window);
    RUN(a_different_line_ends_the_run_first);
    RUN(flush_reports_a_run_that_stopped);
    RUN(long_lines_compare_on_their_kept_prefix);
    return 0;
}
