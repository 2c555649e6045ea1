/*
 * test_ratelimit_shared.c: the limiter's hooks for limits shared with the
 * bot's other processes (struct dbot__rl_shared, backed by coord.h):
 * a shared global slot, a shared bucket slot, bucket reports, invalid
 * responses, and the local share when nothing is shared.
 */
#include "../check.h"
#include "ratelimit.h"

#include <dbot/dbot.h>

#include <stdint.h>
#include <string.h>

struct req {
    struct dbot__rl_req rl; /* first: the tests cast back */
    int id;
};

static int64_t now;

/* What the fake coordinator answers and saw. */
static int global_answer, bucket_answer;
static int global_asks, bucket_asks, seen_calls, invalid_calls;
static char seen_hash[64], seen_top[64];
static int seen_limit, seen_remaining;
static int64_t seen_after;

static int
f_global(void *ud, int64_t now_ms, int64_t *wake_ms)
{
    (void)ud;
    global_asks++;
    if (global_answer == 0)
        *wake_ms = now_ms + 7;
    return global_answer;
}

static int
f_bucket(void *ud, const char *hash, const char *top, int limit, int64_t now_ms,
         int64_t *wake_ms)
{
    (void)ud;
    (void)hash;
    (void)top;
    (void)limit;
    bucket_asks++;
    if (bucket_answer == 0)
        *wake_ms = now_ms + 9;
    return bucket_answer;
}

static void
f_seen(void *ud, const char *hash, const char *top, int limit, int remaining,
       int64_t reset_after_ms)
{
    (void)ud;
    seen_calls++;
    snprintf(seen_hash, sizeof seen_hash, "%s", hash);
    snprintf(seen_top, sizeof seen_top, "%s", top);
    seen_limit = limit;
    seen_remaining = remaining;
    seen_after = reset_after_ms;
}

static void
f_invalid(void *ud)
{
    (void)ud;
    invalid_calls++;
}

static struct dbot__rl *
limiter(int per_sec)
{
    struct dbot__rl *rl = dbot__rl_new(per_sec, 1);
    struct dbot__rl_shared sh = { .global = f_global,
                                  .bucket = f_bucket,
                                  .bucket_seen = f_seen,
                                  .invalid = f_invalid };

    ASSERT_TRUE(rl != NULL);
    dbot__rl_set_shared(rl, &sh);
    global_asks = bucket_asks = seen_calls = invalid_calls = 0;
    global_answer = bucket_answer = 1;
    return rl;
}

static void
submit(struct dbot__rl *rl, struct req *q, int id, const char *path)
{
    memset(q, 0, sizeof *q);
    q->id = id;
    ASSERT_EQ(dbot__rl_submit(rl, &q->rl, "POST", path, now), 0);
}

static size_t
take(struct dbot__rl *rl, struct dbot__rl_req **out, int64_t *wake)
{
    return dbot__rl_take(rl, now, out, 16, wake);
}

static void
drain(struct dbot__rl *rl)
{
    while (dbot__rl_drain(rl))
        ;
    dbot__rl_free(rl);
}

TEST(global_slot_gates_non_exempt_requests)
{
    struct dbot__rl *rl = limiter(50);
    struct dbot__rl_req *out[16];
    struct req a, b;
    int64_t wake;

    global_answer = 0;
    submit(rl, &a, 1, "/channels/1/messages");
    submit(rl, &b, 2, "/interactions/5/tok/callback");
    ASSERT_EQ(take(rl, out, &wake), 1); /* the callback only: exempt */
    ASSERT_EQ(((struct req *)out[0])->id, 2);
    ASSERT_EQ(global_asks, 1);
    ASSERT_EQ(wake, now + 7);
    global_answer = 1;
    ASSERT_EQ(take(rl, out, &wake), 1);
    ASSERT_EQ(((struct req *)out[0])->id, 1);
    drain(rl);
}

TEST(local_share_without_redis)
{
    struct dbot__rl *rl = limiter(8);
    struct dbot__rl_req *out[16];
    struct req q[8];
    int64_t wake;

    global_answer = -4; /* 4 processes: 8 / 4 = 2 each */
    for (int i = 0; i < 8; i++) {
        char path[64];
        snprintf(path, sizeof path, "/channels/%d/messages", i + 1);
        submit(rl, &q[i], i, path);
    }
    ASSERT_EQ(take(rl, out, &wake), 2);
    drain(rl);
}

TEST(bucket_slot_once_the_bucket_is_known)
{
    struct dbot__rl *rl = limiter(50);
    struct dbot__rl_req *out[16];
    struct dbot__rl_resp r = { 200, "h1", 5, 4, 2.5, NULL, 0, -1 };
    struct req a, b;
    int64_t wake;

    submit(rl, &a, 1, "/channels/1/messages");
    ASSERT_EQ(take(rl, out, &wake), 1);
    ASSERT_EQ(bucket_asks, 0); /* a probe: no bucket to share yet */
    ASSERT_EQ(dbot__rl_complete(rl, out[0], &r, now), -1);
    ASSERT_EQ(seen_calls, 1);
    ASSERT_STREQ(seen_hash, "h1");
    ASSERT_STREQ(seen_top, "channels:1");
    ASSERT_EQ(seen_limit, 5);
    ASSERT_EQ(seen_remaining, 4);
    ASSERT_EQ(seen_after, 2500);

    bucket_answer = 0; /* the other processes emptied it */
    submit(rl, &b, 2, "/channels/1/messages");
    ASSERT_EQ(take(rl, out, &wake), 0);
    ASSERT_EQ(bucket_asks, 1);
    ASSERT_EQ(wake, now + 9);
    ASSERT_EQ(global_asks, 1); /* only the probe's: no global slot wasted */
    bucket_answer = -1;        /* Redis away: the local state decides */
    ASSERT_EQ(take(rl, out, &wake), 1);
    drain(rl);
}

TEST(invalid_responses_are_reported)
{
    static const int status[] = { 401, 403, 429, 404, 200 };
    struct dbot__rl *rl = limiter(50);
    struct dbot__rl_req *out[16];
    int64_t wake;

    for (size_t i = 0; i < sizeof status / sizeof status[0]; i++) {
        struct dbot__rl_resp r = { status[i], NULL, -1, -1, -1, NULL, 0, 1.0 };
        struct req q;
        char path[64];

        snprintf(path, sizeof path, "/channels/%zu/messages", i + 1);
        submit(rl, &q, (int)i, path);
        ASSERT_EQ(take(rl, out, &wake), 1);
        if (dbot__rl_complete(rl, out[0], &r, now) >= 0)
            dbot__rl_finish(rl, out[0], now);
    }
    ASSERT_EQ(invalid_calls, 3);
    {
        /* 429 with scope shared: not Discord's invalid request. */
        struct dbot__rl_resp r = { 429, NULL, -1, -1, -1, "shared", 0, 1.0 };
        struct req q;

        submit(rl, &q, 9, "/channels/99/messages");
        ASSERT_EQ(take(rl, out, &wake), 1);
        if (dbot__rl_complete(rl, out[0], &r, now) >= 0)
            dbot__rl_finish(rl, out[0], now);
        ASSERT_EQ(invalid_calls, 3);
    }
    drain(rl);
}

int
main(void)
{
    now = 1000000;
    RUN(global_slot_gates_non_exempt_requests);
    RUN(local_share_without_redis);
    RUN(bucket_slot_once_the_bucket_is_known);
    RUN(invalid_responses_are_reported);
    return 0;
}
