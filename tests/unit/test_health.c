/* Loop health: slow-handler log and the watchdog, with the test thread
 * playing the loop. Log lines are captured with dbot_log_set_sink. */
#include "../check.h"
#include "health.h"
#include "log.h"

#include <dbot/dbot.h>

#include <pthread.h>
#include <stdatomic.h>

static pthread_mutex_t cap_mu = PTHREAD_MUTEX_INITIALIZER;
static char cap[16384];
static atomic_int n_blocked;   /* "loop blocked" lines seen */
static atomic_int n_recovered; /* "loop recovered" lines seen */

/* Runs on whichever thread logs (the watchdog for the lines that matter):
 * it is how the blocked "handler" learns the watchdog spoke. */
static void
capture(const char *line, size_t len, void *data)
{
    size_t cur;

    (void)data;
    pthread_mutex_lock(&cap_mu);
    cur = strlen(cap);
    if (cur + len < sizeof cap)
        memcpy(cap + cur, line, len + 1);
    pthread_mutex_unlock(&cap_mu);
    if (strstr(line, "loop blocked for"))
        atomic_fetch_add(&n_blocked, 1);
    if (strstr(line, "loop recovered after"))
        atomic_fetch_add(&n_recovered, 1);
}

static void
cap_reset(void)
{
    pthread_mutex_lock(&cap_mu);
    cap[0] = '\0';
    pthread_mutex_unlock(&cap_mu);
    atomic_store(&n_blocked, 0);
    atomic_store(&n_recovered, 0);
}

/* A copy of the captured text (the watchdog may still append). */
static char snapshot[sizeof cap];

static const char *
cap_text(void)
{
    pthread_mutex_lock(&cap_mu);
    memcpy(snapshot, cap, sizeof cap);
    pthread_mutex_unlock(&cap_mu);
    return snapshot;
}

/* The number right after `prefix` in the captured log, or -1. */
static long long
cap_number_after(const char *prefix)
{
    const char *t = cap_text(), *p = strstr(t, prefix);

    return p ? atoll(p + strlen(prefix)) : -1;
}

static void
sleep_ms(int ms)
{
    /* The workload of a slow handler, not synchronization. */
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
    nanosleep(&ts, NULL);
}

TEST(slow_handler_is_logged_with_its_name)
{
    struct dbot__health *h = dbot__health_new(NULL);
    struct dbot__health_stats s;

    cap_reset();
    dbot__health_enter(h, "handler", "on_fast", "MESSAGE_CREATE");
    dbot__health_leave(h);
    ASSERT_NOT_CONTAINS(cap_text(), "on_fast");

    dbot__health_enter(h, "handler", "on_slow", "MESSAGE_CREATE");
    sleep_ms(150);
    dbot__health_leave(h);
    ASSERT_CONTAINS(cap_text(),
                    " W health: slow handler on_slow (MESSAGE_CREATE) took ");
    ASSERT_CONTAINS(cap_text(), "(limit 100 ms)");
    ASSERT_GE(cap_number_after("on_slow (MESSAGE_CREATE) took "), 149);
    dbot__health_stats(h, &s);
    ASSERT_EQ(s.handlers, 2);
    ASSERT_EQ(s.slow, 1);
    ASSERT_GE(s.slowest_ms, 150);
    ASSERT_EQ(s.stalls, 0);
    ASSERT_EQ(s.healthy, 1);
    dbot__health_free(h);
}

TEST(slow_threshold_is_configurable)
{
    struct dbot__health_opts o = { .slow_ms = 20 };
    struct dbot__health *h = dbot__health_new(&o);

    cap_reset();
    dbot__health_enter(h, "done", "fetch_done", "job");
    sleep_ms(30);
    dbot__health_leave(h);
    ASSERT_CONTAINS(cap_text(), "slow done fetch_done (job) took ");
    ASSERT_CONTAINS(cap_text(), "(limit 20 ms)");
    dbot__health_free(h);

    o.slow_ms = -1; /* off */
    h = dbot__health_new(&o);
    cap_reset();
    dbot__health_enter(h, "handler", "quiet", "X");
    sleep_ms(30);
    dbot__health_leave(h);
    ASSERT_NOT_CONTAINS(cap_text(), "quiet");
    dbot__health_free(h);
}

TEST(nested_pairs_time_each_level)
{
    struct dbot__health *h = dbot__health_new(NULL);
    const char *t, *inner, *outer;
    char what[16];

    cap_reset();
    /* `what` may be freed after leave: the record must not keep it. */
    strcpy(what, "GUILD_CREATE");
    dbot__health_enter(h, "handler", "on_outer", what);
    dbot__health_enter(h, "handler", "on_inner", "READY");
    sleep_ms(120);
    dbot__health_leave(h);
    dbot__health_leave(h);
    memset(what, 'x', sizeof what - 1);
    t = cap_text();
    inner = strstr(t, "slow handler on_inner (READY) took ");
    outer = strstr(t, "slow handler on_outer (GUILD_CREATE) took ");
    ASSERT_TRUE(inner != NULL);
    ASSERT_TRUE(outer != NULL);
    ASSERT_TRUE(inner < outer); /* inner left first */

    /* A stray leave is reported, not crashed on. */
    dbot__health_leave(h);
    ASSERT_CONTAINS(cap_text(), "health: leave without enter");
    dbot__health_free(h);
}

TEST(watchdog_reports_block_while_it_lasts)
{
    struct dbot__health *h = dbot__health_new(NULL); /* stall 1000 ms */
    struct dbot__health_stats s;
    long long before, t0, seen_at, n;

    cap_reset();
    ASSERT_EQ(dbot__health_start(h), 0);
    ASSERT_EQ(dbot__health_start(h), DBOT_ESTATE);
    dbot__health_tick(h);
    before = check_now_ms_();
    dbot__health_enter(h, "handler", "on_block", "MESSAGE_CREATE");
    t0 = check_now_ms_();
    /* The "handler" blocks the loop until the watchdog's line reached the
     * sink, so the line provably appeared while the loop was blocked. */
    WAIT_UNTIL(atomic_load(&n_blocked) >= 1, 5000);
    seen_at = check_now_ms_() - t0;
    ASSERT_GE(seen_at, 990);
    ASSERT_CONTAINS(cap_text(), " W health: loop blocked for ");
    ASSERT_CONTAINS(cap_text(), " ms in handler on_block (MESSAGE_CREATE)");
    n = cap_number_after("loop blocked for ");
    ASSERT_GE(n, 1000);
    ASSERT_LE(n, check_now_ms_() - before + 1);
    ASSERT_EQ(dbot__health_loop_healthy(h), 0);
    dbot__health_stats(h, &s);
    ASSERT_EQ(s.healthy, 0);
    ASSERT_GE(s.blocked_ms, 1000);
    ASSERT_EQ(atomic_load(&n_recovered), 0);

    WAIT_UNTIL(check_now_ms_() - t0 >= 1500, 5000); /* a 1.5 s block */
    dbot__health_leave(h);
    WAIT_UNTIL(atomic_load(&n_recovered) == 1, 3000);
    ASSERT_CONTAINS(cap_text(), " W health: loop recovered after ");
    ASSERT_CONTAINS(cap_text(), " ms blocked in handler on_block "
                                "(MESSAGE_CREATE)");
    n = cap_number_after("loop recovered after ");
    ASSERT_GE(n, 1499); /* both clocks truncate to ms */
    ASSERT_LE(n, 1500 + check_timeout_ms_(1000));
    ASSERT_CONTAINS(cap_text(), "slow handler on_block (MESSAGE_CREATE)");
    dbot__health_stats(h, &s);
    ASSERT_EQ(s.stalls, 1);
    ASSERT_GE(s.longest_stall_ms, 1499);
    ASSERT_EQ(s.healthy, 1);
    ASSERT_EQ(dbot__health_loop_healthy(h), 1);
    dbot__health_stop(h);
    dbot__health_free(h);
}

TEST(watchdog_repeats_and_names_the_innermost_frame)
{
    struct dbot__health_opts o = { .stall_ms = 200, .repeat_ms = 200 };
    struct dbot__health *h = dbot__health_new(&o);

    cap_reset();
    ASSERT_EQ(dbot__health_start(h), 0);
    dbot__health_enter(h, "handler", "on_command", "INTERACTION_CREATE");
    dbot__health_enter(h, "done", "lookup_done", "job");
    WAIT_UNTIL(atomic_load(&n_blocked) >= 3, 5000);
    ASSERT_CONTAINS(cap_text(), " ms in done lookup_done (job), nested 2 "
                                "deep");
    ASSERT_EQ(atomic_load(&n_recovered), 0);
    dbot__health_leave(h);
    dbot__health_leave(h);
    WAIT_UNTIL(atomic_load(&n_recovered) == 1, 3000);
    dbot__health_free(h); /* stops the watchdog itself */
}

TEST(block_outside_handlers_is_reported)
{
    struct dbot__health_opts o = { .stall_ms = 200 };
    struct dbot__health *h = dbot__health_new(&o);

    cap_reset();
    ASSERT_EQ(dbot__health_start(h), 0);
    WAIT_UNTIL(atomic_load(&n_blocked) >= 1, 5000); /* no ticks at all */
    ASSERT_CONTAINS(cap_text(), " ms outside any handler");
    dbot__health_tick(h);
    WAIT_UNTIL(atomic_load(&n_recovered) == 1, 3000);
    dbot__health_stop(h);
    dbot__health_free(h);
}

TEST(no_stall_while_ticks_continue)
{
    struct dbot__health_opts o = { .stall_ms = (int)check_timeout_ms_(300) };
    struct dbot__health *h = dbot__health_new(&o);
    struct dbot__health_stats s;
    long long t0 = check_now_ms_();

    cap_reset();
    ASSERT_EQ(dbot__health_start(h), 0);
    /* An idle loop: its timer ticks, now and then a handler runs. */
    for (int i = 0; check_now_ms_() - t0 < 1200; i++) {
        if (i % 5 == 0) {
            dbot__health_enter(h, "handler", "on_tick", "X");
            dbot__health_leave(h);
        } else {
            dbot__health_tick(h);
        }
        ASSERT_EQ(dbot__health_loop_healthy(h), 1);
        sleep_ms(10);
    }
    ASSERT_EQ(atomic_load(&n_blocked), 0);
    dbot__health_stats(h, &s);
    ASSERT_EQ(s.stalls, 0);
    ASSERT_LE(s.blocked_ms, o.stall_ms);
    dbot__health_stop(h);
    dbot__health_free(h);
    ASSERT_EQ(atomic_load(&n_blocked), 0);
}

TEST(stop_is_prompt_and_disarms)
{
    struct dbot__health *h = dbot__health_new(NULL);
    struct dbot__health_stats s;
    long long t0;

    ASSERT_EQ(dbot__health_start(h), 0);
    t0 = check_now_ms_();
    dbot__health_stop(h);
    ASSERT_LE(check_now_ms_() - t0, check_timeout_ms_(200));
    dbot__health_stop(h);                       /* idempotent */
    ASSERT_EQ(dbot__health_loop_healthy(h), 1); /* unarmed */
    dbot__health_stats(h, &s);
    ASSERT_EQ(s.blocked_ms, 0);
    /* It can be armed again (dbot_run called a second time). */
    ASSERT_EQ(dbot__health_start(h), 0);
    dbot__health_free(h);
    dbot__health_free(NULL);
}

int
main(void)
{
    dbot_log_set_sink(capture, NULL);
    dbot__log_set_format(DBOT__LOG_TEXT);
    RUN(slow_handler_is_logged_with_its_name);
    RUN(slow_threshold_is_configurable);
    RUN(nested_pairs_time_each_level);
    RUN(watchdog_reports_block_while_it_lasts);
    RUN(watchdog_repeats_and_names_the_innermost_frame);
    RUN(block_outside_handlers_is_reported);
    RUN(no_stall_while_ticks_continue);
    RUN(stop_is_prompt_and_disarms);
    dbot_log_set_sink(NULL, NULL);
    return 0;
}
