/*
 * test_loop.c: the loop's timers and inbox (loop.c).
 *
 * - A timer wakes the loop once, at its deadline: lws 4.1 rounds the wait
 *   for its own timers down to whole milliseconds and spins poll(0)
 *   through the rest, hundreds of turns per timer. The heap's deadline is
 *   a timerfd, so a 20 ms timer costs a handful of turns, armed before
 *   the loop runs as well as from inside it.
 * - A quiet post runs at the loop's next wakeup whatever causes it (a
 *   timer, a later post, dbot__loop_wake), in order with the others, and
 *   never wakes the loop by itself.
 * - A watched descriptor (dbot__loop_watch) calls back each turn it is
 *   readable, not otherwise; unwatching closes it, and so does the loop's
 *   close for one still watched.
 */
#include "check.h"
#include "clock.h"
#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

static int fired;
static int64_t fired_at;

static void
on_timer(struct dbot__timer *t)
{
    (void)t;
    fired++;
    fired_at = dbot__clock_ms();
}

/* Turn the loop until the timer fired; returns the turns it took. */
static int
turns_until_fired(struct dbot__loop *l, int max)
{
    int turns = 0;

    while (!fired && turns < max) {
        ASSERT_TRUE(dbot__loop_turn(l) >= 0);
        turns++;
    }
    return turns;
}

/* Arm a 20 ms timer and turn until it fires: on time, in a few turns
 * (lws's own timers took ~400 here, the spin). */
static void
arm_and_wait(struct dbot__loop *l, struct dbot__timer *t)
{
    int64_t t0 = dbot__clock_ms();

    fired = 0;
    ASSERT_EQ(dbot__loop_timer_arm(l, t, 20), 0);
    ASSERT_TRUE(turns_until_fired(l, 1000) <= 5);
    ASSERT_EQ(fired, 1);
    ASSERT_TRUE(fired_at - t0 >= 20);
}

/* A loop run by this thread, and a timer that counts on it. */
static struct dbot__loop *
open_loop(struct dbot__timer *t)
{
    struct dbot__loop *l;

    ASSERT_EQ(dbot__loop_new(&l, NULL), 0);
    dbot__loop_enter(l);
    dbot__timer_init(t, on_timer);
    return l;
}

TEST(timer_wakes_once_at_its_deadline)
{
    struct dbot__timer t;
    struct dbot__loop *l = open_loop(&t);

    arm_and_wait(l, &t); /* outside any lws callback, before a turn */
    arm_and_wait(l, &t); /* again, after the loop ran */
    /* A cancelled timer does not run; the early wakeup finds nothing. */
    fired = 0;
    ASSERT_EQ(dbot__loop_timer_arm(l, &t, 10), 0);
    dbot__loop_timer_disarm(l, &t);
    ASSERT_TRUE(!dbot__timer_armed(&t));
    dbot__loop_leave(l);
    dbot__loop_free(l);
    ASSERT_EQ(fired, 0);
}

static char order[16];
static int norder;

static void
note(void *arg)
{
    order[norder++] = *(const char *)arg;
    order[norder] = '\0';
}

TEST(quiet_posts_ride_on_the_next_wakeup)
{
    struct dbot__timer t;
    struct dbot__loop *l = open_loop(&t);

    norder = 0;
    order[0] = '\0';

    /* Woken by a timer: the quiet post runs after that turn. */
    ASSERT_EQ(dbot__loop_post_quiet(l, note, "a"), 0);
    ASSERT_EQ(dbot__loop_pending(l), 1);
    fired = 0;
    ASSERT_EQ(dbot__loop_timer_arm(l, &t, 5), 0);
    turns_until_fired(l, 1000);
    ASSERT_STREQ(order, "a");

    /* Woken by a normal post: both run, in the order posted. */
    ASSERT_EQ(dbot__loop_post_quiet(l, note, "b"), 0);
    ASSERT_EQ(dbot__loop_post(l, note, "c"), 0);
    while (dbot__loop_pending(l))
        ASSERT_TRUE(dbot__loop_turn(l) >= 0);
    ASSERT_STREQ(order, "abc");

    /* Woken by dbot__loop_wake. */
    ASSERT_EQ(dbot__loop_post_quiet(l, note, "d"), 0);
    dbot__loop_wake(l);
    while (dbot__loop_pending(l))
        ASSERT_TRUE(dbot__loop_turn(l) >= 0);
    ASSERT_STREQ(order, "abcd");

    dbot__loop_leave(l);
    dbot__loop_free(l);
}

/* Another thread posts quietly and then wakes the loop, as the gateway
 * thread's pace does: nothing is lost or reordered. */
#define MANY 20000
static atomic_int seen;
static int seen_in_order = 1;

static void
count(void *arg)
{
    int i = (int)(intptr_t)arg;

    if (i != atomic_load(&seen))
        seen_in_order = 0;
    atomic_fetch_add(&seen, 1);
}

static void *
producer(void *arg)
{
    struct dbot__loop *l = arg;

    for (int i = 0; i < MANY; i++) {
        int rc = i % 64 == 63
                     ? dbot__loop_post(l, count, (void *)(intptr_t)i)
                     : dbot__loop_post_quiet(l, count, (void *)(intptr_t)i);
        if (rc < 0)
            return NULL;
    }
    dbot__loop_wake(l);
    return NULL;
}

TEST(quiet_posts_from_another_thread_all_arrive_in_order)
{
    struct dbot__loop *l;
    pthread_t th;

    ASSERT_EQ(dbot__loop_new(&l, NULL), 0);
    dbot__loop_enter(l);
    atomic_store(&seen, 0);
    pthread_create(&th, NULL, producer, l);
    WAIT_UNTIL((dbot__loop_turn(l), atomic_load(&seen) == MANY), 20000);
    pthread_join(th, NULL);
    ASSERT_TRUE(seen_in_order);
    dbot__loop_leave(l);
    dbot__loop_free(l);
}

/* ---- watches ---------------------------------------------------------------
 */

struct watched {
    int fd, calls;
};

static void
on_readable(void *arg)
{
    struct watched *w = arg;
    char buf[16];

    w->calls++;
    (void)!read(w->fd, buf, sizeof buf); /* level-triggered: consume */
}

static int
is_open(int fd)
{
    return fcntl(fd, F_GETFD) != -1 || errno != EBADF;
}

TEST(watched_descriptor_calls_back_when_readable_and_closes)
{
    struct dbot__loop *l;
    struct dbot__loop_watch *w, *wb;
    struct watched a = { -1, 0 }, b = { -1, 0 };
    struct dbot__timer t;
    int pa[2], pb[2];

    ASSERT_EQ(dbot__loop_new(&l, NULL), 0);
    ASSERT_EQ(pipe2(pa, O_NONBLOCK | O_CLOEXEC), 0);
    ASSERT_EQ(pipe2(pb, O_NONBLOCK | O_CLOEXEC), 0);
    a.fd = pa[0];
    b.fd = pb[0];
    w = dbot__loop_watch(l, pa[0], on_readable, &a);
    ASSERT_TRUE(w != NULL);
    wb = dbot__loop_watch(l, pb[0], on_readable, &b);
    ASSERT_TRUE(wb != NULL);

    /* Nothing to read: a timer's turn does not call back. */
    fired = 0;
    dbot__timer_init(&t, on_timer);
    ASSERT_EQ(dbot__loop_timer_arm(l, &t, 5), 0);
    ASSERT_LE(turns_until_fired(l, 100), 10);
    ASSERT_EQ(a.calls, 0);

    ASSERT_EQ(write(pa[1], "x", 1), 1);
    for (int i = 0; i < 100 && !a.calls; i++)
        ASSERT_TRUE(dbot__loop_turn(l) >= 0);
    ASSERT_EQ(a.calls, 1);
    ASSERT_EQ(b.calls, 0);

    /* Consumed: another turn (a timer's) does not call again. */
    fired = 0;
    ASSERT_EQ(dbot__loop_timer_arm(l, &t, 5), 0);
    turns_until_fired(l, 100);
    ASSERT_EQ(a.calls, 1);

    dbot__loop_unwatch(w);
    ASSERT_TRUE(!is_open(pa[0]));
    ASSERT_EQ(write(pb[1], "y", 1), 1);
    for (int i = 0; i < 100 && !b.calls; i++)
        ASSERT_TRUE(dbot__loop_turn(l) >= 0);
    ASSERT_EQ(b.calls, 1);
    ASSERT_EQ(a.calls, 1);
    dbot__loop_close(l); /* closes pb[0], still watched */
    ASSERT_TRUE(!is_open(pb[0]));
    dbot__loop_unwatch(wb); /* frees the watch only */
    dbot__loop_free(l);
    close(pa[1]);
    close(pb[1]);
}

int
main(void)
{
    RUN(timer_wakes_once_at_its_deadline);
    RUN(quiet_posts_ride_on_the_next_wakeup);
    RUN(quiet_posts_from_another_thread_all_arrive_in_order);
    RUN(watched_descriptor_calls_back_when_readable_and_closes);
    return 0;
}
