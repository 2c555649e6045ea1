/*
 * test_coord_redis.c: the coordinator (coord.h) in this process, against a
 * real redis-server, so sanitizers and valgrind see coord.c and
 * coord_thread.c at work: shard leases and a refused overlap, identify
 * slots shared by bucket, the shared global window, Redis killed (local
 * answers) and restarted (coordination back), leases released at the end;
 * the session-start budget spent by the identify script and its rule;
 * shards added after the claim leased.
 * Skips (exit 77) when redis-server is not installed.
 */
#include "redis_server.h"
#include "service_probe.h"

#include "clock.h"
#include "coord.h"

#include <dbot/dbot.h>
#include <hiredis/hiredis.h>
#include <math.h>

static struct redis_server R;

static struct dbot__coord *
coord(int per_sec)
{
    struct dbot__coord *c;
    char url[64];
    struct dbot__coord_opts o = { .redis_url = url,
                                  .app_id = 7,
                                  .global_per_sec = per_sec };

    snprintf(url, sizeof url, "redis://127.0.0.1:%d", R.port);
    ASSERT_EQ(dbot__coord_new(&c, &o), 0);
    return c;
}

static int
is_up(const struct dbot__coord *c)
{
    struct dbot__coord_stats st;
    struct timespec ts = { 0, 10 * 1000000L };

    nanosleep(&ts, NULL);
    dbot__coord_stats(c, &st);
    return st.up;
}

/* Poll identify_wait as the gateway's timer does, until it gives a slot
 * (0) or a wait longer than `long_ms`. Returns what it gave. */
static int64_t
identify(struct dbot__coord *c, int shard, int64_t long_ms)
{
    int64_t w, dl = dbot__clock_ms() + 10000;

    while ((w = dbot__coord_identify_wait(c, shard)) > 0 && w <= long_ms) {
        struct timespec ts = { 0, (long)w * 1000000L };
        ASSERT_TRUE(dbot__clock_ms() < dl);
        nanosleep(&ts, NULL);
    }
    return w;
}

/* Global slots taken within one window, polling as the REST thread does
 * (the coordinator answers "not now" until its thread fetched some). */
static int
slots_in(struct dbot__coord *c, int64_t ms)
{
    int64_t end = dbot__clock_ms() + ms, wake;
    int got = 0, r;

    while (dbot__clock_ms() < end) {
        struct timespec ts = { 0, 2 * 1000000L };
        r = dbot__coord_global_take(c, dbot__clock_ms(), &wake);
        ASSERT_GE(r, 0);
        got += r;
        if (r == 0)
            nanosleep(&ts, NULL);
    }
    return got;
}

static int
key_exists(const char *key)
{
    redisContext *rc = redisConnect("127.0.0.1", R.port);
    redisReply *r;
    int n;

    ASSERT_TRUE(rc && !rc->err);
    r = redisCommand(rc, "EXISTS %s", key);
    n = r && r->type == REDIS_REPLY_INTEGER ? (int)r->integer : -1;
    freeReplyObject(r);
    redisFree(rc);
    return n;
}

TEST(leases_identify_global_and_outage)
{
    static const int a_ids[] = { 0, 1, 2, 3 }, b_ids[] = { 3, 4 };
    struct dbot__coord *a = coord(5), *b = coord(5);
    int refused[4];
    int64_t wake;

    ASSERT_EQ(dbot__coord_claim(a, a_ids, 4, refused), 0);
    ASSERT_EQ(key_exists("dbot:7:shard:3"), 1);
    /* Shard 3 is a's, and a renews it: b is refused it, keeps 4. */
    ASSERT_EQ(dbot__coord_claim(b, b_ids, 2, refused), 1);
    ASSERT_EQ(refused[0], 3);
    WAIT_UNTIL(is_up(a) && is_up(b), 10000);

    /* Buckets of 2: shards 0 and 4 share bucket 0. */
    dbot__coord_set_concurrency(a, 2);
    dbot__coord_set_concurrency(b, 2);
    ASSERT_EQ(identify(a, 0, 1000), 0);
    dbot__coord_identify_sent(a, 0);
    ASSERT_GE(identify(b, 4, 1000), 1000); /* held ~5 s by a */
    ASSERT_EQ(identify(a, 1, 1000), 0);    /* bucket 1 is free */
    ASSERT_EQ(dbot__coord_identify_wait(a, 9), DBOT__COORD_LOCAL); /* not a's */

    /* The global window is the bot's: 5 per 1.1 s between a and b. */
    ASSERT_LE(slots_in(a, 300) + slots_in(b, 300), 5);

    /* Redis gone: "local" answers, the local share for the global limit. */
    redis_kill(&R);
    WAIT_UNTIL(!is_up(a) && !is_up(b), 15000);
    ASSERT_EQ(dbot__coord_identify_wait(a, 2), DBOT__COORD_LOCAL);
    ASSERT_TRUE(dbot__coord_global_take(a, 0, &wake) < 0);

    /* Back (empty): coordination returns and the leases are taken again. */
    redis_start(&R);
    WAIT_UNTIL(is_up(a) && is_up(b), 15000);
    WAIT_UNTIL(key_exists("dbot:7:shard:0") == 1, 15000);
    WAIT_UNTIL(dbot__coord_processes(a) == 2, 15000); /* next renewal */

    dbot__coord_free(b);
    dbot__coord_free(a);
    ASSERT_EQ(key_exists("dbot:7:shard:0"), 0); /* released for a restart */
    ASSERT_EQ(key_exists("dbot:7:shard:4"), 0);
}

/* Bucket slots taken through the limiter's hooks within `ms`. */
static int
bucket_slots_in(const struct dbot__rl_shared *h, int64_t ms)
{
    int64_t end = dbot__clock_ms() + ms, wake;
    int got = 0, r;

    while (dbot__clock_ms() < end) {
        struct timespec ts = { 0, 2 * 1000000L };
        r = h->bucket(h->ud, "h", "channels:1", 3, dbot__clock_ms(), &wake);
        ASSERT_GE(r, 0);
        got += r;
        if (r == 0)
            nanosleep(&ts, NULL);
    }
    return got;
}

/* A field of the session budget hash, or -1. */
static long long
budget_field(const char *field)
{
    redisContext *rc = redisConnect("127.0.0.1", R.port);
    redisReply *r;
    long long v;

    ASSERT_TRUE(rc && !rc->err);
    r = redisCommand(rc, "HGET dbot:7:session_budget %s", field);
    v = r && r->type == REDIS_REPLY_STRING ? atoll(r->str) : -1;
    freeReplyObject(r);
    redisFree(rc);
    return v;
}

static void
redis_do(const char *cmd)
{
    redisContext *rc = redisConnect("127.0.0.1", R.port);
    redisReply *r;

    ASSERT_TRUE(rc && !rc->err);
    r = redisCommand(rc, cmd);
    ASSERT_TRUE(r && r->type != REDIS_REPLY_ERROR);
    freeReplyObject(r);
    redisFree(rc);
}

static int64_t
budget_of(const struct dbot__coord *c)
{
    struct dbot__coord_stats st;

    dbot__coord_stats(c, &st);
    return st.session_budget;
}

/* Two processes, one session-start budget of 3: three identifies between
 * them, the fourth waits for the reset; an observation never raises what
 * was spent; a window that ended refills it; resumes are not asked. */
TEST(session_budget_is_the_bots)
{
    static const int a_ids[] = { 0, 1 }, b_ids[] = { 2, 3 };
    struct dbot__coord *a = coord(50), *b = coord(50);
    int refused[2];
    struct dbot__coord_stats st;

    redis_do("DEL dbot:7:session_budget");
    ASSERT_EQ(dbot__coord_claim(a, a_ids, 2, refused), 0);
    ASSERT_EQ(dbot__coord_claim(b, b_ids, 2, refused), 0);
    WAIT_UNTIL(is_up(a) && is_up(b), 10000);
    dbot__coord_set_concurrency(a, 4); /* one bucket per shard */
    dbot__coord_set_concurrency(b, 4);

    /* Ignored: no remaining or no reset known. */
    dbot__coord_session_budget(a, -1, 1000, 60000);
    dbot__coord_session_budget(a, 3, 1000, -1);
    dbot__coord_session_budget(a, NAN, 1000, 60000);
    dbot__coord_session_budget(a, 3, 1000, NAN);
    /* Both read remaining 3 (before anyone identified). */
    dbot__coord_session_budget(a, 3, 1000, 60000);
    dbot__coord_session_budget(b, 3, 1000, 60000);
    WAIT_UNTIL(budget_of(a) == 3 && budget_of(b) == 3, 5000);
    ASSERT_EQ(budget_field("rem"), 3);
    ASSERT_EQ(budget_field("total"), 1000);

    ASSERT_EQ(identify(a, 0, 100000), 0);
    ASSERT_EQ(identify(b, 2, 100000), 0);
    ASSERT_EQ(identify(a, 1, 100000), 0);
    ASSERT_EQ(budget_field("rem"), 0);
    /* b's last shard waits: the answer is "ask again", never a slot. */
    ASSERT_GE(dbot__coord_identify_wait(b, 3), 1);
    WAIT_UNTIL((dbot__coord_stats(b, &st), st.budget_waits >= 1), 5000);
    ASSERT_GE(dbot__coord_identify_wait(b, 3), 1000);
    ASSERT_EQ(budget_of(b), 0);

    /* A stale observation (read before those identifies reached Discord)
     * does not give back what was spent. Its total tells when it was
     * published. */
    dbot__coord_session_budget(b, 1e300, 1e300, 1e300); /* capped */
    dbot__coord_session_budget(b, 3, 1001, 59000);
    WAIT_UNTIL(budget_field("total") == 1001, 5000);
    ASSERT_EQ(budget_field("rem"), 0);
    WAIT_UNTIL(budget_of(b) == 0, 5000);

    /* The window ends (Redis's clock passes the reset): refilled to the
     * total, and the waiting shard identifies. */
    redis_do("HSET dbot:7:session_budget reset 1");
    ASSERT_EQ(identify(b, 3, 100000), 0);
    ASSERT_EQ(budget_field("rem"), 1000); /* 1001, the last total seen */
    ASSERT_EQ(budget_field("guess"), 1);
    /* The next observation sets the real reset, and being lower than
     * the refill, the budget. */
    dbot__coord_session_budget(a, 990, 1001, 30000);
    WAIT_UNTIL(budget_field("guess") == 0, 5000);
    ASSERT_EQ(budget_field("rem"), 990);

    /* Redis restarted empty: a process republishes what it saw last, so
     * a spent budget stays spent. */
    redis_do("HSET dbot:7:session_budget rem 0");
    ASSERT_GE(dbot__coord_identify_wait(a, 0), 1); /* spent: a learns 0 */
    WAIT_UNTIL(budget_of(a) == 0, 5000);
    redis_kill(&R);
    WAIT_UNTIL(!is_up(a) && !is_up(b), 15000);
    /* Local answers while it is away: each shard checks Discord alone. */
    ASSERT_EQ(dbot__coord_identify_wait(a, 0), DBOT__COORD_LOCAL);
    redis_start(&R);
    WAIT_UNTIL(is_up(a) && is_up(b), 15000);
    WAIT_UNTIL(budget_field("rem") == 0, 15000);

    dbot__coord_free(b);
    dbot__coord_free(a);
}

/* Shards added after the claim (auto sharding) are leased: one another
 * process holds is refused, the others are granted and renewed. */
TEST(added_shards_are_leased)
{
    static const int a_ids[] = { 0 }, b_ids[] = { 2 };
    struct dbot__coord *a = coord(50), *b = coord(50);
    int refused[1];

    redis_do("DEL dbot:7:session_budget"); /* the last test spent it */
    ASSERT_EQ(dbot__coord_claim(a, a_ids, 1, refused), 0);
    ASSERT_EQ(dbot__coord_claim(b, b_ids, 1, refused), 0);
    WAIT_UNTIL(is_up(a) && is_up(b), 10000);
    ASSERT_EQ(dbot__coord_add_shards(a, 1, 3), 0); /* 1, 2, 3 */
    ASSERT_EQ(dbot__coord_add_shards(a, 0, 1), 0); /* had it: skipped */
    /* Until leased: wait. b renews shard 2 every 5 s, so a sees it alive
     * and refuses it. */
    ASSERT_GE(dbot__coord_identify_wait(a, 2), 1);
    WAIT_UNTIL(dbot__coord_refused(a, 2), 30000);
    ASSERT_EQ(dbot__coord_identify_wait(a, 2), DBOT__COORD_REFUSED);
    ASSERT_EQ(dbot__coord_refused(a, 1), 0);
    ASSERT_EQ(dbot__coord_refused(a, 3), 0);
    WAIT_UNTIL(key_exists("dbot:7:shard:1") == 1, 5000);
    ASSERT_EQ(key_exists("dbot:7:shard:3"), 1);
    ASSERT_EQ(identify(a, 1, 100000), 0);

    /* a releases its own leases only: shard 2 stays b's. */
    dbot__coord_free(a);
    ASSERT_EQ(key_exists("dbot:7:shard:1"), 0);
    ASSERT_EQ(key_exists("dbot:7:shard:2"), 1);
    dbot__coord_free(b);
    ASSERT_EQ(key_exists("dbot:7:shard:2"), 0);
}

TEST(shared_buckets_and_invalid_counts)
{
    static const int a_ids[] = { 0 }, b_ids[] = { 1 };
    struct dbot__coord *a = coord(50), *b = coord(50);
    struct dbot__rl_shared ha, hb;
    struct dbot__coord_stats st;
    int refused[1];

    ASSERT_EQ(dbot__coord_claim(a, a_ids, 1, refused), 0);
    ASSERT_EQ(dbot__coord_claim(b, b_ids, 1, refused), 0);
    WAIT_UNTIL(is_up(a) && is_up(b), 10000);
    dbot__coord_rl_hooks(a, &ha);
    dbot__coord_rl_hooks(b, &hb);

    /* A response told a: 3 left, reset in 2 s. Between a and b, 3 slots
     * in that window, not 3 each. */
    ha.bucket_seen(ha.ud, "h", "channels:1", 3, 3, 2000);
    WAIT_UNTIL(key_exists("dbot:7:bucket:h:channels:1") == 1, 5000);
    ASSERT_EQ(bucket_slots_in(&ha, 400) + bucket_slots_in(&hb, 400), 3);
    dbot__coord_stats(a, &st);
    ASSERT_GE(st.bucket_waits, 1);

    /* 5000 invalid responses from a: both slow down to a fifth of the
     * global limit (50 / 5 = 10 per window). */
    for (int i = 0; i < 5000; i++)
        ha.invalid(ha.ud);
    WAIT_UNTIL((dbot__coord_stats(a, &st), st.invalid_10m >= 5000), 10000);
    WAIT_UNTIL((dbot__coord_stats(b, &st), st.invalid_10m >= 5000), 15000);
    {
        struct timespec ts = { 1, 200 * 1000000L }; /* a fresh window */
        nanosleep(&ts, NULL);
    }
    ASSERT_LE(slots_in(a, 300) + slots_in(b, 300), 10);
    dbot__coord_free(b);
    dbot__coord_free(a);
}

TEST(unreachable_redis_grants_every_shard)
{
    static const int ids[] = { 0, 1 };
    struct dbot__coord *c;
    struct dbot__coord_opts o = { .redis_url = "redis://127.0.0.1:1",
                                  .app_id = 7 };
    int refused[2];

    ASSERT_EQ(dbot__coord_new(&c, &o), 0);
    ASSERT_EQ(dbot__coord_claim(c, ids, 2, refused), 0);
    ASSERT_EQ(is_up(c), 0);
    ASSERT_EQ(dbot__coord_identify_wait(c, 0), DBOT__COORD_LOCAL);
    dbot__coord_free(c);
}

TEST(no_shards_still_shares_rest_limits)
{
    struct dbot__coord *c = coord(50);

    /* A bot without a gateway (HTTP interactions only). */
    ASSERT_EQ(dbot__coord_claim(c, NULL, 0, NULL), 0);
    WAIT_UNTIL(is_up(c), 10000);
    ASSERT_GE(slots_in(c, 200), 1);
    dbot__coord_free(c);
}

TEST(bad_options)
{
    struct dbot__coord *c;
    struct dbot__coord_opts o = { .redis_url = "rediss://x", .app_id = 7 };

    ASSERT_EQ(dbot__coord_new(&c, &o), DBOT_EINVAL);
    o.redis_url = "redis://x";
    o.app_id = 0;
    ASSERT_EQ(dbot__coord_new(&c, &o), DBOT_EINVAL);
}

/* A failed check exits: no Redis outlives the test. */
static void
kill_redis(void)
{
    redis_kill(&R);
}

int
main(void)
{
    if (redis_find(&R) < 0) {
        printf("SKIP: redis-server is not installed (scripts/deps.sh "
               "installs it)\n");
        return 77;
    }
    R.port = free_port();
    atexit(kill_redis);
    redis_start(&R);
    RUN(leases_identify_global_and_outage);
    RUN(shared_buckets_and_invalid_counts);
    RUN(session_budget_is_the_bots);
    RUN(added_shards_are_leased);
    RUN(unreachable_redis_grants_every_shard);
    RUN(no_shards_still_shares_rest_limits);
    RUN(bad_options);
    redis_kill(&R);
    return 0;
}
