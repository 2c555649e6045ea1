/*
 * bench_coord.c: what coordinating through Redis adds (coord.h), against a
 * redis-server started on 127.0.0.1 with a random port. ONE JSON line:
 *   ping_ms         the floor: a bare hiredis PING round trip (p50, p99);
 *   identify_ms     from a shard's first identify_wait to the one that
 *                   says 0: the loop asks, the coordination thread runs
 *                   the slot script, the loop polls every 20 ms (every
 *                   shard in its own bucket, so no pacing is measured);
 *   identify_trips  Redis round trips per identify (take + sent);
 *   identify_fast_ms the same polled every 50 us, so the script's own
 *                   cost shows: without a session budget in Redis, and
 *                   with one (identify_budget_fast_ms: each identify also
 *                   spends one from dbot:<app>:session_budget, checked:
 *                   budget_spent);
 *   rest_cold_ms    a REST request finding no fetched slot: from the take
 *                   that missed to the one that got a slot, woken by the
 *                   coordination thread as rest.c is, one request at a
 *                   time, 60 ms apart so fetched slots have lapsed;
 *   rest_burst_us   mean cost per request when requests come back to back
 *                   (slots fetched 8 at a time, each answered at once and
 *                   re-timed in Redis by the coordination thread), and
 *                   round trips per request (fetches and re-timings).
 * Skips (exit 77) without redis-server.
 * Usage: bench_coord [samples]   (default 300)
 */
#include "bench_clock.h"
#include "coord.h"

#include <hiredis/hiredis.h>

#include <dbot/dbot.h>

#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void nap_ms(double ms);

static pid_t redis_pid; /* killed at exit, whatever the path */

static void
kill_redis(void)
{
    if (redis_pid > 0) {
        kill(redis_pid, SIGKILL);
        waitpid(redis_pid, NULL, 0);
    }
}

/* The REST thread's wake, as rest.c's curl_multi_wakeup would be. */
static atomic_int woken;

static void
waker(void *ud)
{
    (void)ud;
    atomic_store(&woken, 1);
}

/* Take a global slot as the REST thread does: ask; on a miss, sleep
 * until woken (polled every 20 us here) or the fallback time. */
static void
take_slot(struct dbot__coord *c)
{
    int64_t wake;

    while (dbot__coord_global_take(c, 0, &wake) == 0) {
        double t0 = now_s();
        while (!atomic_exchange(&woken, 0) && now_s() - t0 < 0.05)
            nap_ms(0.02);
    }
}

static int
cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static void
pct(double *v, int n, double *p50, double *p99)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    *p50 = v[n / 2];
    *p99 = v[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
}

static void
nap_ms(double ms)
{
    struct timespec ts = { (time_t)(ms / 1000),
                           (long)((ms - (double)(long)(ms / 1000) * 1000) *
                                  1e6) };
    nanosleep(&ts, NULL);
}

/* Identify shards first..first+n-1, polling every 50 us: v[i] gets the
 * ms from the first ask to "identify now". */
static void
identify_fast(struct dbot__coord *c, int first, int n, double *v)
{
    for (int i = 0; i < n; i++) {
        double t0 = now_s();
        while (dbot__coord_identify_wait(c, first + i) > 0)
            nap_ms(0.05);
        v[i] = (now_s() - t0) * 1e3;
        dbot__coord_identify_sent(c, first + i);
    }
}

int
main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 300, port, *ids, nref;
    char portstr[16], url[64];
    char *rargv[] = { "redis-server", "--port", portstr, "--bind",
                      "127.0.0.1",    "--save", "",      "--appendonly",
                      "no",           NULL };
    double *v = calloc((size_t)n, sizeof *v), ping50, ping99, id50, id99,
           cold50, cold99, t0, burst_us, fast50, fast99, bud50, bud99;
    long long spent = -1;
    struct dbot__coord_opts o = { .app_id = 1, .global_per_sec = 1000000 };
    struct dbot__coord_stats st0, st1;
    struct dbot__coord *c;
    struct dbot__rl_shared hooks;
    redisContext *rc = NULL;
    posix_spawn_file_actions_t fa;
    pid_t pid;
    uint64_t trips_id, trips_rest;

    srand((unsigned)getpid());
    port = 20000 + rand() % 30000;
    snprintf(portstr, sizeof portstr, "%d", port);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    if (posix_spawnp(&pid, "redis-server", &fa, NULL, rargv, environ) != 0) {
        printf("SKIP: redis-server is not installed\n");
        return 77;
    }
    redis_pid = pid;
    atexit(kill_redis);
    for (int i = 0; i < 500 && !rc; i++) {
        rc = redisConnect("127.0.0.1", port);
        if (rc && rc->err) {
            redisFree(rc);
            rc = NULL;
            nap_ms(10);
        }
    }
    if (!rc) {
        fprintf(stderr, "bench_coord: redis-server did not start\n");
        return 1;
    }
    for (int i = 0; i < n; i++) {
        redisReply *r;
        t0 = now_s();
        r = redisCommand(rc, "PING");
        v[i] = (now_s() - t0) * 1e3;
        freeReplyObject(r);
    }
    pct(v, n, &ping50, &ping99);

    snprintf(url, sizeof url, "redis://127.0.0.1:%d", port);
    o.redis_url = url;
    /* Shards 0..n-1 for identify_ms, n.. for the fast polls. */
    ids = calloc((size_t)n * 3, sizeof *ids);
    for (int i = 0; i < n * 3; i++)
        ids[i] = i;
    if (dbot__coord_new(&c, &o) < 0)
        return 1;
    nref = dbot__coord_claim(c, ids, n * 3, ids);
    dbot__coord_set_waker(c, waker, NULL);
    if (nref != 0) {
        fprintf(stderr, "bench_coord: claim: %d\n", nref);
        return 1;
    }
    /* Every shard its own bucket: publish a max_concurrency above n. */
    dbot__coord_set_concurrency(c, 1 << 20);
    for (int i = 0; i < 200; i++) {
        redisReply *r = redisCommand(rc, "GET dbot:1:max_concurrency");
        int ok = r && r->type == REDIS_REPLY_STRING;
        freeReplyObject(r);
        if (ok)
            break;
        nap_ms(5);
    }
    dbot__coord_stats(c, &st0);
    for (int i = 0; i < n; i++) {
        int64_t w;
        t0 = now_s();
        while ((w = dbot__coord_identify_wait(c, i)) > 0)
            nap_ms((double)w);
        v[i] = (now_s() - t0) * 1e3;
        dbot__coord_identify_sent(c, i);
    }
    pct(v, n, &id50, &id99);
    nap_ms(100);
    dbot__coord_stats(c, &st1);
    trips_id = st1.round_trips - st0.round_trips;

    identify_fast(c, n, n, v);
    pct(v, n, &fast50, &fast99);
    dbot__coord_session_budget(c, 1000000000, 1000000000, 86400000);
    for (int i = 0; i < 200; i++) {
        redisReply *r = redisCommand(rc, "EXISTS dbot:1:session_budget");
        int ok = r && r->type == REDIS_REPLY_INTEGER && r->integer == 1;
        freeReplyObject(r);
        if (ok)
            break;
        nap_ms(5);
    }
    identify_fast(c, 2 * n, n, v);
    pct(v, n, &bud50, &bud99);
    {
        redisReply *r = redisCommand(rc, "HGET dbot:1:session_budget rem");
        if (r && r->type == REDIS_REPLY_STRING)
            spent = 1000000000LL - atoll(r->str);
        freeReplyObject(r);
    }

    for (int i = 0; i < n; i++) {
        nap_ms(60);
        t0 = now_s();
        take_slot(c);
        v[i] = (now_s() - t0) * 1e3;
    }
    pct(v, n, &cold50, &cold99);
    nap_ms(60);
    dbot__coord_stats(c, &st0);
    t0 = now_s();
    dbot__coord_rl_hooks(c, &hooks);
    for (int i = 0; i < n * 10; i++) {
        take_slot(c);
        hooks.global_done(hooks.ud); /* answered at once: re-timed */
    }
    burst_us = (now_s() - t0) * 1e6 / (n * 10);
    dbot__coord_stats(c, &st1);
    trips_rest = st1.round_trips - st0.round_trips;

    printf("{\"bench\":\"coord\",\"samples\":%d,"
           "\"ping_ms\":{\"p50\":%.3f,\"p99\":%.3f},"
           "\"identify_ms\":{\"p50\":%.3f,\"p99\":%.3f},"
           "\"identify_trips\":%.2f,"
           "\"identify_fast_ms\":{\"p50\":%.3f,\"p99\":%.3f},"
           "\"identify_budget_fast_ms\":{\"p50\":%.3f,\"p99\":%.3f},"
           "\"budget_spent\":%lld,"
           "\"rest_cold_ms\":{\"p50\":%.3f,\"p99\":%.3f},"
           "\"rest_burst_us\":%.1f,\"rest_trips_per_request\":%.3f}\n",
           n, ping50, ping99, id50, id99, (double)trips_id / n, fast50, fast99,
           bud50, bud99, spent, cold50, cold99, burst_us,
           (double)trips_rest / (n * 10));
    dbot__coord_free(c);
    redisFree(rc);
    free(v);
    free(ids);
    return 0;
}
