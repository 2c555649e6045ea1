/*
 * bench_timer.c: the cost of arming and cancelling one timer with N
 * already pending (N = 10, 1,000, 100,000, 1,000,000), through the loop's
 * heap (dbot__loop_timer_arm / _disarm, what every interaction and every
 * dbot_timer_start pays) and, in the same run on the same lws context,
 * through lws's own sorted list (lws_sul_schedule / lws_sul_cancel), which
 * interactions used before. lws at 10 pending is the floor: a linked-list
 * insert near its head is the cheapest timer there is.
 *
 * The pending timers are spread over one to two hours; each measured
 * timer gets a random deadline in the same range, as a new interaction's
 * 14-minute abandon timer lands among those of the interactions before it.
 * The heap's cancel is measured twice: the timer just armed (an
 * interaction answered in time cancels its deadline) and a random one
 * among the pending (a sift from anywhere in the heap).
 * Timers are armed and cancelled in batches of 8 (so N stays N), each
 * batch timed on CLOCK_MONOTONIC; figures are the median of 3 runs of the
 * per-operation mean. Prints one JSON line.
 *
 * lws's list is filled in decreasing deadline order (each insert lands at
 * the head) so that filling it is not itself quadratic; its measured
 * inserts walk the list as real ones do.
 */
#include "loop.h"

#include <dbot/dbot.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_clock.h"

#define BATCH 8
#define RUNS  3

static const int sizes[] = { 10, 1000, 100000, 1000000 };
#define NSIZES ((int)(sizeof sizes / sizeof sizes[0]))

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A deadline between one and two hours from now, in ms. */
static int64_t
random_delay_ms(void)
{
    return 3600000 + (int64_t)(next_rand() % 3600000);
}

static void
never(struct dbot__timer *t)
{
    (void)t;
    abort();
}

static void
never_sul(lws_sorted_usec_list_t *s)
{
    (void)s;
    abort();
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double
median3(double *v)
{
    qsort(v, RUNS, sizeof *v, cmp_double);
    return v[RUNS / 2];
}

/* The heap: mean ns per arm and per cancel with n pending; *old_ns is
 * the cancel of a random timer among the pending (a sift from anywhere
 * in the heap, not only from its end). */
static void
run_heap(struct dbot__loop *l, int n, long ops, double *ins_ns, double *can_ns,
         double *old_ns)
{
    struct dbot__timer *pend = calloc((size_t)n, sizeof *pend);
    struct dbot__timer probe[BATCH];
    double ins = 0, can = 0, old = 0;

    if (!pend)
        abort();
    for (int i = 0; i < n; i++) {
        dbot__timer_init(&pend[i], never);
        if (dbot__loop_timer_arm(l, &pend[i], random_delay_ms()) < 0)
            abort();
    }
    for (int i = 0; i < BATCH; i++)
        dbot__timer_init(&probe[i], never);
    for (long done = 0; done < ops; done += BATCH) {
        double t0 = now_s(), t1;

        for (int i = 0; i < BATCH; i++)
            if (dbot__loop_timer_arm(l, &probe[i], random_delay_ms()) < 0)
                abort();
        t1 = now_s();
        for (int i = BATCH - 1; i >= 0; i--)
            dbot__loop_timer_disarm(l, &probe[i]);
        ins += t1 - t0;
        can += now_s() - t1;
    }
    for (long done = 0; done < ops; done += BATCH) {
        struct dbot__timer *pick[BATCH];
        double t0;

        for (int i = 0; i < BATCH; i++)
            pick[i] = &pend[next_rand() % (uint64_t)n];
        t0 = now_s();
        for (int i = 0; i < BATCH; i++)
            dbot__loop_timer_disarm(l, pick[i]);
        old += now_s() - t0;
        for (int i = 0; i < BATCH; i++)
            if (dbot__loop_timer_arm(l, pick[i], random_delay_ms()) < 0)
                abort();
    }
    for (int i = 0; i < n; i++)
        dbot__loop_timer_disarm(l, &pend[i]);
    free(pend);
    *ins_ns = ins * 1e9 / (double)ops;
    *can_ns = can * 1e9 / (double)ops;
    *old_ns = old * 1e9 / (double)ops;
}

static int
cmp_delay_desc(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x < y) - (x > y);
}

/* lws's sorted list, on the same context. */
static void
run_lws(struct lws_context *ctx, int n, long ops, double *ins_ns,
        double *can_ns)
{
    lws_sorted_usec_list_t *pend = calloc((size_t)n, sizeof *pend);
    lws_sorted_usec_list_t probe[BATCH];
    int64_t *delay = malloc((size_t)n * sizeof *delay);
    double ins = 0, can = 0;

    if (!pend || !delay)
        abort();
    for (int i = 0; i < n; i++)
        delay[i] = random_delay_ms();
    qsort(delay, (size_t)n, sizeof *delay, cmp_delay_desc);
    for (int i = 0; i < n; i++)
        lws_sul_schedule(ctx, 0, &pend[i], never_sul,
                         (lws_usec_t)delay[i] * LWS_US_PER_MS);
    memset(probe, 0, sizeof probe);
    for (long done = 0; done < ops; done += BATCH) {
        double t0 = now_s(), t1;

        for (int i = 0; i < BATCH; i++)
            lws_sul_schedule(ctx, 0, &probe[i], never_sul,
                             (lws_usec_t)random_delay_ms() * LWS_US_PER_MS);
        t1 = now_s();
        for (int i = BATCH - 1; i >= 0; i--)
            lws_sul_cancel(&probe[i]);
        ins += t1 - t0;
        can += now_s() - t1;
    }
    for (int i = 0; i < n; i++)
        lws_sul_cancel(&pend[i]);
    free(pend);
    free(delay);
    *ins_ns = ins * 1e9 / (double)ops;
    *can_ns = can * 1e9 / (double)ops;
}

static void
print_array(const char *name, const double *v, int last)
{
    printf("\"%s\":[", name);
    for (int i = 0; i < NSIZES; i++)
        printf("%s%.1f", i ? "," : "", v[i]);
    printf("]%s", last ? "" : ",");
}

int
main(void)
{
    struct dbot__loop *l;
    double hi[NSIZES], hc[NSIZES], ho[NSIZES], li[NSIZES], lc[NSIZES];

    dbot_log_set_level(DBOT_LOG_WARN);
    if (dbot__loop_new(&l, NULL) < 0)
        return 1;
    for (int s = 0; s < NSIZES; s++) {
        double a[RUNS], b[RUNS], c[RUNS], d[RUNS], e[RUNS];
        /* lws pays a walk of up to n nodes per insert: fewer ops there. */
        long lws_ops = sizes[s] >= 100000 ? 400 : 80000;

        for (int r = 0; r < RUNS; r++) {
            run_heap(l, sizes[s], 200000, &a[r], &b[r], &e[r]);
            run_lws(dbot__loop_lws(l), sizes[s], lws_ops, &c[r], &d[r]);
        }
        hi[s] = median3(a);
        hc[s] = median3(b);
        ho[s] = median3(e);
        li[s] = median3(c);
        lc[s] = median3(d);
    }
    dbot__loop_free(l);
    printf("{\"bench\":\"timer\",\"what\":\"ns per arm and per cancel of "
           "one timer with N pending, median of %d\",\"pending\":[",
           RUNS);
    for (int i = 0; i < NSIZES; i++)
        printf("%s%d", i ? "," : "", sizes[i]);
    printf("],");
    print_array("heap_arm_ns", hi, 0);
    print_array("heap_cancel_ns", hc, 0);
    print_array("heap_cancel_random_pending_ns", ho, 0);
    print_array("lws_sul_arm_ns", li, 0);
    print_array("lws_sul_cancel_ns", lc, 0);
    printf("\"floor\":\"lws sul at 10 pending: arm %.1f ns, cancel %.1f "
           "ns\",",
           li[0], lc[0]);
    printf("\"heap_arm_1M_over_10\":%.2f,\"heap_cancel_1M_over_10\":%.2f,"
           "\"heap_arm_over_floor\":%.2f,\"lws_arm_1M_over_10\":%.0f}\n",
           hi[NSIZES - 1] / hi[0], hc[NSIZES - 1] / hc[0], hi[0] / li[0],
           li[NSIZES - 1] / li[0]);
    return 0;
}
