/*
 * test_ratelimit.c: the pure rate limiter, driven by a fake clock.
 */
#include "../check.h"
#include "ratelimit.h"

#include <dbot/dbot.h>

#include <math.h>
#include <stdint.h>

struct req {
    struct dbot__rl_req rl; /* first: the tests cast back */
    int id;
};

static int64_t now;

static struct dbot__rl_resp
hdrs(const char *bucket, int limit, int remaining, double reset_after)
{
    struct dbot__rl_resp r = { 200,         bucket, limit, remaining,
                               reset_after, NULL,   0,     -1 };
    return r;
}

static struct dbot__rl_resp
none(int status)
{
    struct dbot__rl_resp r = { status, NULL, -1, -1, -1, NULL, 0, -1 };
    return r;
}

static void
submit(struct dbot__rl *rl, struct req *q, int id, const char *method,
       const char *path)
{
    memset(q, 0, sizeof *q);
    q->id = id;
    ASSERT_EQ(dbot__rl_submit(rl, &q->rl, method, path, now), 0);
}

/* Take everything sendable now; return how many, ids into ids[]. */
static size_t
take(struct dbot__rl *rl, int *ids, size_t max, int64_t *wake)
{
    struct dbot__rl_req *out[256];
    int64_t w;
    size_t n = dbot__rl_take(rl, now, out, max < 256 ? max : 256, &w);

    for (size_t i = 0; i < n; i++)
        ids[i] = ((struct req *)out[i])->id;
    if (wake)
        *wake = w;
    return n;
}

static char logbuf[65536];
static size_t loglen;

static void
sink(const char *line, size_t len, void *data)
{
    (void)data;
    if (loglen + len < sizeof logbuf) {
        memcpy(logbuf + loglen, line, len);
        loglen += len;
        logbuf[loglen] = '\0';
    }
}

TEST(route_keys_wildcard_minor_ids)
{
    char k[256], t[96];

    ASSERT_EQ(dbot__rl_route_key("POST", "/channels/123/messages", k, sizeof k,
                                 t, sizeof t),
              0);
    ASSERT_STREQ(k, "POST /channels/{id}/messages");
    ASSERT_STREQ(t, "channels:123");
    ASSERT_EQ(dbot__rl_route_key("PATCH", "/channels/9/messages/456?x=1", k,
                                 sizeof k, t, sizeof t),
              0);
    ASSERT_STREQ(k, "PATCH /channels/{id}/messages/{*}");
    ASSERT_STREQ(t, "channels:9");
    ASSERT_EQ(dbot__rl_route_key(
                  "PUT", "/channels/9/messages/4/reactions/%F0%9F%91%8D/@me", k,
                  sizeof k, t, sizeof t),
              0);
    ASSERT_STREQ(k, "PUT /channels/{id}/messages/{*}/reactions/{emoji}/@me");
    ASSERT_EQ(dbot__rl_route_key("GET", "/guilds/77/members/5", k, sizeof k, t,
                                 sizeof t),
              0);
    ASSERT_STREQ(k, "GET /guilds/{id}/members/{*}");
    ASSERT_STREQ(t, "guilds:77");
    ASSERT_EQ(dbot__rl_route_key("GET", "/users/@me", k, sizeof k, t, sizeof t),
              0);
    ASSERT_STREQ(k, "GET /users/@me");
    ASSERT_STREQ(t, "");
    /* A guild id below /applications is not a top-level id. */
    ASSERT_EQ(dbot__rl_route_key("PUT", "/applications/1/guilds/2/commands", k,
                                 sizeof k, t, sizeof t),
              0);
    ASSERT_STREQ(k, "PUT /applications/{*}/guilds/{*}/commands");
    ASSERT_STREQ(t, "");
}

/* Discord buckets reactions by channel: every emoji (encoded once, or
 * name:id) and every message of a channel is one route, the channel the
 * top-level id. */
TEST(reactions_share_one_route_per_channel)
{
    static const char *const paths[] = {
        "/channels/9/messages/4/reactions/%F0%9F%91%8D/@me",
        "/channels/9/messages/5/reactions/%23%EF%B8%8F%E2%83%A3/@me",
        "/channels/9/messages/4/reactions/blob:123/@me",
    };
    char k[256], t[96];

    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        ASSERT_EQ(dbot__rl_route_key("PUT", paths[i], k, sizeof k, t, sizeof t),
                  0);
        ASSERT_STREQ(k,
                     "PUT /channels/{id}/messages/{*}/reactions/{emoji}/@me");
        ASSERT_STREQ(t, "channels:9");
    }
    ASSERT_EQ(dbot__rl_route_key("DELETE",
                                 "/channels/8/messages/4/reactions/blob:1/77",
                                 k, sizeof k, t, sizeof t),
              0);
    ASSERT_STREQ(k, "DELETE /channels/{id}/messages/{*}/reactions/{emoji}/{*}");
    ASSERT_STREQ(t, "channels:8");
    /* Unencoded UTF-8 is not a path; the reaction calls never send it. */
    ASSERT_EQ(dbot__rl_route_key("PUT",
                                 "/channels/9/messages/4/reactions/\xF0\x9F"
                                 "\x91\x8D/@me",
                                 k, sizeof k, t, sizeof t),
              DBOT_EINVAL);
}

/* Reactions' 1 per 0.25 s: a second emoji waits for the channel's window,
 * another channel does not. */
TEST(reactions_wait_for_the_channel_window)
{
    struct dbot__rl *rl = dbot__rl_new(50, 1);
    struct req a, b, c;
    struct dbot__rl_resp r;
    int ids[8];
    int64_t wake;

    now = 1000;
    submit(rl, &a, 1, "PUT",
           "/channels/9/messages/4/reactions/%F0%9F%91%8D/@me");
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    r = hdrs("react", 1, 0, 0.25);
    dbot__rl_complete(rl, &a.rl, &r, now);
    submit(rl, &b, 2, "PUT", "/channels/9/messages/4/reactions/blob:123/@me");
    ASSERT_EQ(take(rl, ids, 8, &wake), 0);
    ASSERT_EQ(wake, 1250);
    submit(rl, &c, 3, "PUT", "/channels/7/messages/4/reactions/blob:123/@me");
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    ASSERT_EQ(ids[0], 3);
    now = 1250;
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    ASSERT_EQ(ids[0], 2);
    dbot__rl_free(rl);
}

TEST(route_keys_hide_tokens)
{
    char k[256], t[96], t2[96];

    ASSERT_EQ(dbot__rl_route_key("POST", "/interactions/11/SECRETTOK/callback",
                                 k, sizeof k, t, sizeof t),
              0);
    ASSERT_STREQ(k, "POST /interactions/{id}/{token}/callback");
    ASSERT_CONTAINS(t, "interactions:11:");
    ASSERT_NOT_CONTAINS(t, "SECRETTOK");
    ASSERT_EQ(dbot__rl_route_key("PATCH",
                                 "/webhooks/5/OTHERTOK/messages/@original", k,
                                 sizeof k, t2, sizeof t2),
              0);
    ASSERT_STREQ(k, "PATCH /webhooks/{id}/{token}/messages/@original");
    ASSERT_CONTAINS(t2, "webhooks:5:");
    ASSERT_NOT_CONTAINS(t2, "OTHERTOK");
    /* Same id, another token: another top id. */
    ASSERT_EQ(dbot__rl_route_key("PATCH",
                                 "/webhooks/5/THIRDTOK/messages/@original", k,
                                 sizeof k, t, sizeof t),
              0);
    ASSERT_TRUE(strcmp(t, t2) != 0);

    ASSERT_EQ(dbot__rl_classify("/interactions/1/x/callback"),
              DBOT__RL_EXEMPT | DBOT__RL_TOKEN | DBOT__RL_INTERACTION);
    ASSERT_EQ(dbot__rl_classify("/webhooks/1/x"),
              DBOT__RL_EXEMPT | DBOT__RL_TOKEN);
    ASSERT_EQ(dbot__rl_classify("/webhooks/1"), 0);
    ASSERT_EQ(dbot__rl_classify("/channels/1/messages"), 0);
}

TEST(route_keys_reject_garbage)
{
    char k[256], t[96], big[600];

    ASSERT_EQ(dbot__rl_route_key("GET", "channels/1", k, sizeof k, t, sizeof t),
              DBOT_EINVAL);
    ASSERT_EQ(
        dbot__rl_route_key("GET", "/channels//1", k, sizeof k, t, sizeof t),
        DBOT_EINVAL);
    ASSERT_EQ(
        dbot__rl_route_key("GET", "/channels/1/", k, sizeof k, t, sizeof t),
        DBOT_EINVAL);
    ASSERT_EQ(dbot__rl_route_key("GET", "/a b", k, sizeof k, t, sizeof t),
              DBOT_EINVAL);
    ASSERT_EQ(dbot__rl_route_key("GET", "/a\r\nX: y", k, sizeof k, t, sizeof t),
              DBOT_EINVAL);
    ASSERT_EQ(dbot__rl_route_key("GET", "/", k, sizeof k, t, sizeof t),
              DBOT_EINVAL);
    ASSERT_EQ(
        dbot__rl_route_key("BREW", "/channels/1", k, sizeof k, t, sizeof t),
        DBOT_EINVAL);
    ASSERT_EQ(dbot__rl_route_key(NULL, "/channels/1", k, sizeof k, t, sizeof t),
              DBOT_EINVAL);
    memset(big, 'a', sizeof big - 1);
    big[0] = '/';
    big[sizeof big - 1] = '\0';
    ASSERT_EQ(dbot__rl_route_key("GET", big, k, sizeof k, t, sizeof t),
              DBOT_ETOOBIG);
}

TEST(unknown_route_one_in_flight_per_lane)
{
    struct dbot__rl *rl = dbot__rl_new(50, 1);
    struct req a, b, c;
    struct dbot__rl_resp r = none(200);
    int ids[8];
    int64_t wake;

    now = 1000;
    submit(rl, &a, 1, "POST", "/channels/1/messages");
    submit(rl, &b, 2, "POST", "/channels/1/messages");
    submit(rl, &c, 3, "POST", "/channels/2/messages");
    ASSERT_EQ(take(rl, ids, 8, &wake), 2);
    ASSERT_EQ(ids[0], 1);
    ASSERT_EQ(ids[1], 3); /* another channel runs in parallel */
    ASSERT_EQ(take(rl, ids, 8, &wake), 0);
    ASSERT_EQ(wake, INT64_MAX); /* only a response unblocks */
    ASSERT_EQ(dbot__rl_complete(rl, &a.rl, &r, now), -1);
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    ASSERT_EQ(ids[0], 2);
    dbot__rl_free(rl);
}

TEST(honours_remaining_and_reset_after_before_sending)
{
    struct dbot__rl *rl = dbot__rl_new(50, 1);
    struct req q[4];
    struct dbot__rl_resp r;
    int ids[8];
    int64_t wake;

    now = 5000;
    for (int i = 0; i < 4; i++)
        submit(rl, &q[i], i, "POST", "/channels/1/messages");
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    r = hdrs("h1", 2, 1, 2.0);
    dbot__rl_complete(rl, &q[0].rl, &r, now);
    ASSERT_STREQ(dbot__rl_route_hash(rl, "POST /channels/{id}/messages"), "h1");
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    ASSERT_EQ(ids[0], 1);
    ASSERT_EQ(dbot__rl_bucket_remaining(rl, "h1", "channels:1"), 0);
    now += 100;
    r = hdrs("h1", 2, 0, 1.9);
    dbot__rl_complete(rl, &q[1].rl, &r, now);
    /* Bucket empty: nothing may go until the reset. */
    ASSERT_EQ(take(rl, ids, 8, &wake), 0);
    ASSERT_EQ(wake, 5000 + 2000);
    now = wake - 1;
    ASSERT_EQ(take(rl, ids, 8, NULL), 0);
    now = wake;
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    ASSERT_EQ(ids[0], 2);
    dbot__rl_free(rl);
}

TEST(bucket_shared_across_routes_with_same_hash)
{
    struct dbot__rl *rl = dbot__rl_new(50, 1);
    struct req a, b, c, d, e;
    struct dbot__rl_resp r;
    int ids[8];
    int64_t wake;

    now = 0;
    submit(rl, &a, 1, "PATCH", "/channels/1/messages/10");
    submit(rl, &b, 2, "DELETE", "/channels/1/messages/11");
    /* Unknown routes of one channel probe one at a time: they may share
     * a bucket. */
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    ASSERT_EQ(ids[0], 1);
    r = hdrs("shared", 3, 2, 5.0);
    dbot__rl_complete(rl, &a.rl, &r, now);
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    ASSERT_EQ(ids[0], 2);
    r = hdrs("shared", 3, 1, 5.0);
    dbot__rl_complete(rl, &b.rl, &r, now);
    ASSERT_EQ(dbot__rl_bucket_remaining(rl, "shared", "channels:1"), 1);
    submit(rl, &c, 3, "PATCH", "/channels/1/messages/12");
    submit(rl, &d, 4, "DELETE", "/channels/1/messages/13");
    /* One slot left in the shared bucket: only one of the two goes. */
    ASSERT_EQ(take(rl, ids, 8, &wake), 1);
    ASSERT_EQ(ids[0], 3);
    ASSERT_EQ(wake, 5000);
    /* Another channel is another bucket (major parameter); its window is
     * unknown, so it takes one request to learn it. */
    submit(rl, &e, 5, "DELETE", "/channels/2/messages/1");
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    ASSERT_EQ(ids[0], 5);
    dbot__rl_complete(rl, &e.rl, &r, now);
    r = hdrs("shared", 3, 0, 4.0);
    dbot__rl_complete(rl, &c.rl, &r, now);
    now = 4999;
    ASSERT_EQ(take(rl, ids, 8, NULL), 0);
    now = 5000;
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    ASSERT_EQ(ids[0], 4);
    dbot__rl_free(rl);
}

TEST(unknown_window_allows_one_request)
{
    struct dbot__rl *rl = dbot__rl_new(50, 1);
    struct req a, b, c;
    struct dbot__rl_resp r = hdrs("w", 5, 4, 5.0);
    int ids[8];

    now = 0;
    submit(rl, &a, 1, "POST", "/channels/1/messages");
    take(rl, ids, 8, NULL);
    dbot__rl_complete(rl, &a.rl, &r, now);
    /* Route known, channel 2 new: PATCH and POST lanes share the (w, 2)
     * bucket whose window is unknown. */
    submit(rl, &b, 2, "POST", "/channels/2/messages");
    submit(rl, &c, 3, "POST", "/channels/2/messages");
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    dbot__rl_complete(rl, &b.rl, &r, now);
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    ASSERT_EQ(ids[0], 3);
    dbot__rl_free(rl);
}

TEST(own_decrement_beats_stale_headers)
{
    struct dbot__rl *rl = dbot__rl_new(50, 1);
    struct req a, p, b, c, d, e;
    struct dbot__rl_resp r;
    int ids[8];

    now = 0;
    /* Learn both routes (sequentially: same channel). */
    submit(rl, &a, 1, "GET", "/channels/1/messages/1");
    submit(rl, &p, 9, "GET", "/channels/1/pins");
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    r = hdrs("hb", 4, 3, 10.0);
    dbot__rl_complete(rl, &a.rl, &r, now);
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    ASSERT_EQ(ids[0], 9);
    r = hdrs("hb", 4, 2, 10.0);
    dbot__rl_complete(rl, &p.rl, &r, now);
    ASSERT_EQ(dbot__rl_bucket_remaining(rl, "hb", "channels:1"), 2);
    /* Both routes send one: remaining 2 -> 0 by our own count. */
    now = 10;
    submit(rl, &b, 2, "GET", "/channels/1/messages/2");
    submit(rl, &c, 3, "GET", "/channels/1/pins");
    ASSERT_EQ(take(rl, ids, 8, NULL), 2);
    ASSERT_EQ(dbot__rl_bucket_remaining(rl, "hb", "channels:1"), 0);
    /* c's answer comes first and is exact... */
    r = hdrs("hb", 4, 0, 9.9);
    dbot__rl_complete(rl, &c.rl, &r, now);
    ASSERT_EQ(dbot__rl_bucket_remaining(rl, "hb", "channels:1"), 0);
    /* ...b's arrives late with a stale, higher count: ignored. */
    r = hdrs("hb", 4, 1, 9.95);
    dbot__rl_complete(rl, &b.rl, &r, now);
    ASSERT_EQ(dbot__rl_bucket_remaining(rl, "hb", "channels:1"), 0);
    submit(rl, &d, 4, "GET", "/channels/1/messages/3");
    submit(rl, &e, 5, "GET", "/channels/1/pins");
    ASSERT_EQ(take(rl, ids, 8, NULL), 0);
    now = 9999;
    ASSERT_EQ(take(rl, ids, 8, NULL), 0);
    now = 10000;
    ASSERT_EQ(take(rl, ids, 8, NULL), 2);
    dbot__rl_free(rl);
}

TEST(routes_without_headers_stop_probing)
{
    struct dbot__rl *rl = dbot__rl_new(50, 1);
    struct req a, b, c;
    struct dbot__rl_resp r = none(200);
    int ids[8];

    now = 0;
    submit(rl, &a, 1, "GET", "/users/@me");
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    dbot__rl_complete(rl, &a.rl, &r, now);
    submit(rl, &b, 2, "GET", "/users/@me");
    submit(rl, &c, 3, "GET", "/gateway/bot");
    /* b's route is probed (no limit); c is a probe and must wait for b. */
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    ASSERT_EQ(ids[0], 2);
    dbot__rl_complete(rl, &b.rl, &r, now);
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    ASSERT_EQ(ids[0], 3);
    dbot__rl_free(rl);
}

TEST(window_refills_after_reset)
{
    struct dbot__rl *rl = dbot__rl_new(50, 1);
    struct req q[8];
    struct dbot__rl_resp r;
    int ids[8];

    now = 0;
    submit(rl, &q[0], 0, "POST", "/channels/1/typing");
    take(rl, ids, 8, NULL);
    r = hdrs("t", 2, 0, 1.0);
    dbot__rl_complete(rl, &q[0].rl, &r, now);
    submit(rl, &q[1], 1, "POST", "/channels/1/typing");
    ASSERT_EQ(take(rl, ids, 8, NULL), 0);
    now = 1000;
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    /* Refilled to the limit (2), one used. */
    ASSERT_EQ(dbot__rl_bucket_remaining(rl, "t", "channels:1"), 1);
    dbot__rl_free(rl);
}

TEST(missing_headers_never_deadlock)
{
    struct dbot__rl *rl = dbot__rl_new(50, 1);
    struct req q[3];
    struct dbot__rl_resp r = none(200);
    int ids[8];

    now = 0;
    for (int i = 0; i < 3; i++)
        submit(rl, &q[i], i, "GET", "/gateway/bot");
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ(take(rl, ids, 8, NULL), 1);
        ASSERT_EQ(ids[0], i);
        ASSERT_EQ(dbot__rl_complete(rl, &q[i].rl, &r, now), -1);
    }
    dbot__rl_free(rl);
}

TEST(per_route_429_blocks_bucket_and_requeues_at_head)
{
    struct dbot__rl *rl = dbot__rl_new(50, 7);
    struct req a, b;
    struct dbot__rl_resp r = hdrs("m", 5, 0, 0.5);
    int ids[8];
    int64_t delay, wake;

    now = 100;
    submit(rl, &a, 1, "POST", "/channels/1/messages");
    submit(rl, &b, 2, "POST", "/channels/1/messages");
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    r.status = 429;
    r.scope = "user";
    r.retry_after = 1.5;
    delay = dbot__rl_complete(rl, &a.rl, &r, now);
    ASSERT_GE(delay, 1500);
    ASSERT_LE(delay, 1500 + 200);
    dbot__rl_requeue(rl, &a.rl, now + delay);
    ASSERT_EQ(dbot__rl_invalid_count(rl, now), 1);
    ASSERT_EQ(take(rl, ids, 8, &wake), 0);
    ASSERT_EQ(wake, now + delay);
    now = wake;
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    ASSERT_EQ(ids[0], 1); /* the retried request keeps its place */
    dbot__rl_free(rl);
}

/* Headers and bodies can say anything. Every wait is clamped before it
 * becomes an integer: a huge value neither overflows (the log once said
 * "retrying in -9223372036854775808 ms") nor parks a route for years, and
 * NaN counts as absent. */
TEST(huge_and_odd_waits_are_bounded)
{
    static const double odd[] = { 1e300, INFINITY, 9.3e15, 3e9 };
    struct dbot__rl *rl = dbot__rl_new(50, 3);
    struct req q[2];
    struct dbot__rl_resp r;
    int ids[8];
    int64_t delay, wake;

    now = 1000;
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        /* A 429 whose retry_after (body or Retry-After) is enormous. */
        submit(rl, &q[0], 1, "GET", "/guilds/1/members/2");
        ASSERT_EQ(take(rl, ids, 8, NULL), 1);
        r = hdrs("g", 5, 0, odd[i]);
        r.status = 429;
        r.scope = "user";
        r.retry_after = odd[i];
        delay = dbot__rl_complete(rl, &q[0].rl, &r, now);
        ASSERT_GE(delay, DBOT__RL_MAX_WAIT_MS);
        ASSERT_LE(delay, DBOT__RL_MAX_WAIT_MS + 500);
        dbot__rl_requeue(rl, &q[0].rl, now + delay);
        ASSERT_EQ(take(rl, ids, 8, &wake), 0);
        ASSERT_GE(wake, now + DBOT__RL_MAX_WAIT_MS);
        ASSERT_LE(wake, now + DBOT__RL_MAX_WAIT_MS + 500);
        now = wake;
        ASSERT_EQ(take(rl, ids, 8, NULL), 1);
        r = hdrs("g", 5, 4, 0.1);
        dbot__rl_complete(rl, &q[0].rl, &r, now);
        now += 200;
    }

    /* X-RateLimit-Reset-After alone: the bucket waits at most the bound. */
    submit(rl, &q[0], 1, "POST", "/channels/7/messages");
    submit(rl, &q[1], 2, "POST", "/channels/7/messages");
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    r = hdrs("h", 1, 0, 1e300);
    dbot__rl_complete(rl, &q[0].rl, &r, now);
    ASSERT_EQ(take(rl, ids, 8, &wake), 0);
    ASSERT_EQ(wake, now + DBOT__RL_MAX_WAIT_MS);
    now = wake;
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    ASSERT_EQ(ids[0], 2);

    /* NaN and negative: as if the header were missing (no wait at all). */
    r = hdrs("h", 1, 0, NAN);
    dbot__rl_complete(rl, &q[1].rl, &r, now);
    submit(rl, &q[0], 3, "POST", "/channels/7/messages");
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    r = hdrs("h", 1, 0, -5);
    r.status = 429;
    r.retry_after = NAN;
    delay = dbot__rl_complete(rl, &q[0].rl, &r, now);
    ASSERT_GE(delay, 1000); /* the default second */
    ASSERT_LE(delay, 1000 + 500);
    dbot__rl_finish(rl, &q[0].rl, now);
    dbot__rl_free(rl);
}

TEST(header_seconds_parse_strictly_and_saturate)
{
    char big[1001];

    ASSERT_TRUE(dbot__rl_parse_seconds("1", 1) == 1.0);
    ASSERT_TRUE(dbot__rl_parse_seconds("0.25", 4) == 0.25);
    ASSERT_TRUE(dbot__rl_parse_seconds("1.5x", 3) == 1.5); /* n bounds it */
    ASSERT_TRUE(dbot__rl_parse_seconds("", 0) < 0);
    ASSERT_TRUE(dbot__rl_parse_seconds("-1", 2) < 0);
    ASSERT_TRUE(dbot__rl_parse_seconds("1e400", 5) < 0);
    ASSERT_TRUE(dbot__rl_parse_seconds("inf", 3) < 0);
    ASSERT_TRUE(dbot__rl_parse_seconds("nan", 3) < 0);
    ASSERT_TRUE(dbot__rl_parse_seconds(" 1", 2) < 0);
    memset(big, '9', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ASSERT_TRUE(isfinite(dbot__rl_parse_seconds(big, sizeof big - 1)));
    ASSERT_EQ(dbot__rl_wait_ms(dbot__rl_parse_seconds(big, sizeof big - 1)),
              DBOT__RL_MAX_WAIT_MS);
    ASSERT_EQ(dbot__rl_wait_ms(1.9), 1900);
    ASSERT_EQ(dbot__rl_wait_ms(0.0001), 1);
    ASSERT_EQ(dbot__rl_wait_ms(0), 0);
    ASSERT_EQ(dbot__rl_wait_ms(-0.5), -1);
    ASSERT_EQ(dbot__rl_wait_ms(NAN), -1);
    ASSERT_EQ(dbot__rl_wait_ms(-INFINITY), -1);
    ASSERT_EQ(dbot__rl_wait_ms(INFINITY), DBOT__RL_MAX_WAIT_MS);
    ASSERT_EQ(dbot__rl_wait_ms(1e19), DBOT__RL_MAX_WAIT_MS);
}

/* A request never sits out a wait it cannot survive: one whose lane is
 * held past its deadline comes back from dbot__rl_expire at once, one
 * that can still go in time stays, and one blocked only by a response in
 * flight stays until its deadline passes. */
TEST(requests_that_would_wait_past_their_deadline_expire)
{
    struct dbot__rl *rl = dbot__rl_new(50, 5);
    struct req q[5];
    struct dbot__rl_req *out[8];
    struct dbot__rl_resp r;
    int ids[8];
    int64_t wake;

    now = 1000;
    submit(rl, &q[0], 0, "POST", "/channels/1/messages");
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    /* While q[0] is out, the lane waits for its response: no expiry. */
    submit(rl, &q[1], 1, "POST", "/channels/1/messages");
    q[1].rl.deadline = now + 500;
    ASSERT_EQ(dbot__rl_expire(rl, now, out, 8), 0);
    r = hdrs("h", 1, 0, 10.0); /* empty for 10 s */
    dbot__rl_complete(rl, &q[0].rl, &r, now);
    submit(rl, &q[2], 2, "POST", "/channels/1/messages");
    q[2].rl.deadline = now + 20000;
    submit(rl, &q[3], 3, "POST", "/channels/1/messages");
    q[3].rl.deadline = now + 2000;
    submit(rl, &q[4], 4, "POST", "/channels/1/messages"); /* no deadline */
    /* q[1] cannot go before the reset: out; q[2] can: it stops the scan
     * (FIFO), so q[3] waits its turn behind it. */
    ASSERT_EQ(dbot__rl_expire(rl, now, out, 8), 1);
    ASSERT_EQ(((struct req *)out[0])->id, 1);
    ASSERT_EQ(take(rl, ids, 8, &wake), 0);
    ASSERT_EQ(wake, 11000);
    now = wake;
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    ASSERT_EQ(ids[0], 2);
    r = hdrs("h", 1, 0, 10.0);
    dbot__rl_complete(rl, &q[2].rl, &r, now);
    /* q[3]'s deadline (3000) has passed: out; q[4] has none and waits. */
    ASSERT_EQ(dbot__rl_expire(rl, now, out, 8), 1);
    ASSERT_EQ(((struct req *)out[0])->id, 3);
    ASSERT_EQ(dbot__rl_expire(rl, now, out, 8), 0);
    ASSERT_EQ(take(rl, ids, 8, &wake), 0);
    ASSERT_EQ(wake, 21000);
    now = wake;
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    ASSERT_EQ(ids[0], 4);
    dbot__rl_complete(rl, &q[4].rl, &r, now);
    {
        struct dbot__rl_stats st;

        dbot__rl_stats(rl, &st);
        ASSERT_EQ(st.queued, 0);
        ASSERT_EQ(st.inflight, 0);
    }

    /* A global pause past a deadline expires non-exempt requests too. */
    submit(rl, &q[0], 10, "GET", "/guilds/9/members/1");
    ASSERT_EQ(take(rl, ids, 8, NULL), 1);
    r = none(429);
    r.global = 1;
    r.retry_after = 60;
    ASSERT_GE(dbot__rl_complete(rl, &q[0].rl, &r, now), 60000);
    dbot__rl_finish(rl, &q[0].rl, now);
    submit(rl, &q[1], 11, "GET", "/guilds/9/members/2");
    q[1].rl.deadline = now + 30000;
    ASSERT_EQ(dbot__rl_expire(rl, now, out, 8), 1);
    ASSERT_EQ(((struct req *)out[0])->id, 11);
    dbot__rl_free(rl);
}

TEST(shared_scope_429_is_not_invalid)
{
    struct dbot__rl *rl = dbot__rl_new(50, 7);
    struct req a;
    struct dbot__rl_resp r = none(429);
    int ids[8];

    now = 0;
    submit(rl, &a, 1, "POST", "/channels/1/messages");
    take(rl, ids, 8, NULL);
    r.scope = "shared";
    r.retry_after = 0.1;
    ASSERT_GE(dbot__rl_complete(rl, &a.rl, &r, now), 100);
    dbot__rl_finish(rl, &a.rl, now);
    ASSERT_EQ(dbot__rl_invalid_count(rl, now), 0);
    dbot__rl_free(rl);
}

TEST(global_429_pauses_all_but_exempt_routes)
{
    struct dbot__rl *rl = dbot__rl_new(50, 3);
    struct req a, b, c, d, e;
    struct dbot__rl_resp r = none(429);
    int ids[8];
    int64_t delay, wake;
    struct dbot__rl_stats st;

    now = 0;
    submit(rl, &a, 1, "GET", "/users/@me");
    take(rl, ids, 8, NULL);
    r.global = 1;
    r.retry_after = 2.0;
    delay = dbot__rl_complete(rl, &a.rl, &r, now);
    dbot__rl_requeue(rl, &a.rl, now + delay);
    dbot__rl_stats(rl, &st);
    ASSERT_EQ(st.global_until, 2000);
    submit(rl, &b, 2, "POST", "/channels/9/messages");
    submit(rl, &c, 3, "POST", "/interactions/5/tok/callback");
    submit(rl, &d, 4, "PATCH", "/webhooks/7/tok/messages/@original");
    submit(rl, &e, 5, "POST", "/webhooks/7/tok2");
    ASSERT_EQ(take(rl, ids, 8, &wake), 3);
    ASSERT_EQ(ids[0], 3); /* interaction callbacks first */
    ASSERT_EQ(ids[1], 4);
    ASSERT_EQ(ids[2], 5);
    ASSERT_EQ(wake, 2000);
    now = 1999;
    ASSERT_EQ(take(rl, ids, 8, NULL), 0);
    now = delay; /* >= 2000: the pause and a's own retry time are over */
    ASSERT_EQ(take(rl, ids, 8, NULL), 2);
    ASSERT_EQ(ids[0], 1); /* requeued before b was submitted */
    ASSERT_EQ(ids[1], 2);
    dbot__rl_free(rl);
}

TEST(scope_global_header_pauses_everything)
{
    struct dbot__rl *rl = dbot__rl_new(50, 3);
    struct req a, b;
    struct dbot__rl_resp r = none(429);
    int ids[8];
    int64_t wake;

    now = 0;
    submit(rl, &a, 1, "GET", "/users/@me");
    take(rl, ids, 8, NULL);
    r.scope = "global";
    r.retry_after = 0.25;
    ASSERT_GE(dbot__rl_complete(rl, &a.rl, &r, now), 250);
    dbot__rl_finish(rl, &a.rl, now);
    submit(rl, &b, 2, "GET", "/guilds/1");
    ASSERT_EQ(take(rl, ids, 8, &wake), 0);
    ASSERT_EQ(wake, 250);
    dbot__rl_free(rl);
}

TEST(global_limit_per_second_except_exempt)
{
    struct dbot__rl *rl = dbot__rl_new(5, 3);
    struct req q[12], ix[3];
    struct dbot__rl_req *out[16];
    struct dbot__rl_resp r = none(200);
    char path[64];
    int ids[16];
    int64_t wake;
    size_t n;

    now = 0;
    for (int i = 0; i < 12; i++) {
        snprintf(path, sizeof path, "/channels/%d/messages", i + 1);
        submit(rl, &q[i], i, "POST", path);
    }
    n = dbot__rl_take(rl, now, out, 16, &wake);
    ASSERT_EQ(n, 5);
    ASSERT_EQ(wake, INT64_MAX); /* five in flight: a response frees one */
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "/interactions/%d/t%d/callback", i + 1, i);
        submit(rl, &ix[i], 100 + i, "POST", path);
    }
    now = 300;
    ASSERT_EQ(take(rl, ids, 16, &wake), 3); /* exempt */
    ASSERT_EQ(ids[0], 100);
    /* Responses at 300: the slots are free one window later. */
    for (size_t i = 0; i < n; i++)
        dbot__rl_complete(rl, out[i], &r, now);
    ASSERT_EQ(take(rl, ids, 16, &wake), 0);
    ASSERT_EQ(wake, 300 + DBOT__RL_GLOBAL_WINDOW_MS);
    now = 300 + DBOT__RL_GLOBAL_WINDOW_MS - 1;
    ASSERT_EQ(take(rl, ids, 16, NULL), 0);
    now = 300 + DBOT__RL_GLOBAL_WINDOW_MS;
    ASSERT_EQ(take(rl, ids, 16, NULL), 5);
    ASSERT_EQ(ids[0], 5); /* FIFO across lanes */
    dbot__rl_free(rl);
}

TEST(interactions_never_wait_behind_other_lanes)
{
    struct dbot__rl *rl = dbot__rl_new(50, 3);
    struct req q[40], ix;
    char path[64];
    int ids[4];

    now = 0;
    for (int i = 0; i < 40; i++) {
        snprintf(path, sizeof path, "/channels/%d/messages", i + 1);
        submit(rl, &q[i], i, "POST", path);
    }
    submit(rl, &ix, 99, "POST", "/interactions/1/tok/callback");
    ASSERT_EQ(take(rl, ids, 1, NULL), 1);
    ASSERT_EQ(ids[0], 99);
    dbot__rl_free(rl);
}

TEST(capped_take_keeps_room_for_interactions)
{
    struct dbot__rl *rl = dbot__rl_new(50, 3);
    struct req q[10], ix;
    struct dbot__rl_req *out[16];
    char path[64];
    int64_t wake;

    now = 0;
    for (int i = 0; i < 10; i++) {
        snprintf(path, sizeof path, "/channels/%d/messages", i + 1);
        submit(rl, &q[i], i, "POST", path);
    }
    submit(rl, &ix, 99, "POST", "/interactions/1/tok/callback");
    /* No room for ordinary requests, some for interactions. */
    ASSERT_EQ(dbot__rl_take_capped(rl, now, out, 16, 2, 0, &wake), 1);
    ASSERT_EQ(((struct req *)out[0])->id, 99);
    ASSERT_EQ(wake, INT64_MAX); /* capped lanes do not ask for a wake-up */
    ASSERT_EQ(dbot__rl_take_capped(rl, now, out, 16, 2, 3, &wake), 3);
    ASSERT_EQ(((struct req *)out[0])->id, 0);
    dbot__rl_free(rl);
}

TEST(interactions_have_separate_lanes)
{
    struct dbot__rl *rl = dbot__rl_new(50, 3);
    struct req a, b;
    struct dbot__rl_resp r = hdrs("ix", 1, 0, 60.0);
    int ids[4];

    now = 0;
    submit(rl, &a, 1, "POST", "/interactions/1/tokA/callback");
    ASSERT_EQ(take(rl, ids, 4, NULL), 1);
    dbot__rl_complete(rl, &a.rl, &r, now);
    /* Same route, same hash, other interaction: not blocked by a's empty
     * bucket. */
    submit(rl, &b, 2, "POST", "/interactions/2/tokB/callback");
    ASSERT_EQ(take(rl, ids, 4, NULL), 1);
    ASSERT_EQ(ids[0], 2);
    dbot__rl_free(rl);
}

/* Followups (POST /webhooks/{app}/{token}) are exempt from the global
 * limit but not from their own bucket: their headers count like any
 * route's (discord-protocol.md §5 item 10, serenity#1121), per token. */
TEST(webhook_headers_limit_their_token_only)
{
    struct dbot__rl *rl = dbot__rl_new(50, 4);
    struct req a, b, c, d;
    int ids[4];
    int64_t wake;

    now = 0;
    submit(rl, &a, 1, "POST", "/webhooks/7/tokA");
    submit(rl, &b, 2, "POST", "/webhooks/7/tokA");
    submit(rl, &c, 3, "POST", "/webhooks/7/tokA");
    ASSERT_EQ(take(rl, ids, 4, NULL), 1);
    {
        struct dbot__rl_resp r = hdrs("wh", 2, 1, 2.0);
        dbot__rl_complete(rl, &a.rl, &r, now);
    }
    ASSERT_EQ(take(rl, ids, 4, NULL), 1);
    ASSERT_EQ(ids[0], 2);
    {
        struct dbot__rl_resp r = hdrs("wh", 2, 0, 1.9);
        dbot__rl_complete(rl, &b.rl, &r, now);
    }
    /* tokA's bucket is empty until its reset... */
    ASSERT_EQ(take(rl, ids, 4, &wake), 0);
    ASSERT_EQ(wake, 2000);
    /* ...while another token's followups go on. */
    submit(rl, &d, 4, "POST", "/webhooks/7/tokB");
    ASSERT_EQ(take(rl, ids, 4, NULL), 1);
    ASSERT_EQ(ids[0], 4);
    now = 2000;
    ASSERT_EQ(take(rl, ids, 4, NULL), 1);
    ASSERT_EQ(ids[0], 3);
    dbot__rl_free(rl);
}

TEST(retry_requeue_keeps_fifo)
{
    struct dbot__rl *rl = dbot__rl_new(50, 3);
    struct req q[3];
    struct dbot__rl_resp r = none(502);
    int ids[4];
    int64_t wake;

    now = 0;
    for (int i = 0; i < 3; i++)
        submit(rl, &q[i], i, "GET", "/channels/1/messages");
    ASSERT_EQ(take(rl, ids, 4, NULL), 1);
    ASSERT_EQ(dbot__rl_complete(rl, &q[0].rl, &r, now), -1);
    dbot__rl_requeue(rl, &q[0].rl, 300);
    ASSERT_EQ(take(rl, ids, 4, &wake), 0);
    ASSERT_EQ(wake, 300);
    now = 300;
    ASSERT_EQ(take(rl, ids, 4, NULL), 1);
    ASSERT_EQ(ids[0], 0);
    dbot__rl_free(rl);
}

/* Token-keyed state (a webhook token's followups and edits) stays for a
 * minute once idle: more may follow on that token. */
TEST(idle_token_state_goes_after_a_minute)
{
    struct dbot__rl *rl = dbot__rl_new(50, 3);
    static struct req q[2000];
    struct dbot__rl_resp r = hdrs("wh", 1, 0, 1.0);
    struct dbot__rl_req *out[64];
    struct dbot__rl_stats st;
    char path[96];

    now = 0;
    for (int i = 0; i < 2000; i++) {
        snprintf(path, sizeof path, "/webhooks/1/tok%d/messages/@original", i);
        submit(rl, &q[i], i, "PATCH", path);
    }
    for (;;) {
        size_t n = dbot__rl_take(rl, now, out, 64, NULL);
        if (!n)
            break;
        for (size_t i = 0; i < n; i++)
            dbot__rl_complete(rl, out[i], &r, now);
    }
    dbot__rl_stats(rl, &st);
    ASSERT_EQ(st.lanes, 2000);
    ASSERT_EQ(st.buckets, 2000);
    ASSERT_EQ(st.routes, 1);
    ASSERT_EQ(st.queued, 0);
    ASSERT_EQ(st.inflight, 0);
    /* Idle, windows closed (1 s long): kept for a minute, then gone, long
     * before the token dies. */
    now = DBOT__RL_TOKEN_IDLE_TTL_MS - 1;
    dbot__rl_sweep(rl, now);
    dbot__rl_stats(rl, &st);
    ASSERT_EQ(st.lanes, 2000);
    now = DBOT__RL_TOKEN_IDLE_TTL_MS;
    dbot__rl_sweep(rl, now);
    dbot__rl_stats(rl, &st);
    ASSERT_EQ(st.lanes, 0);
    ASSERT_EQ(st.buckets, 0);
    dbot__rl_free(rl);
}

/* An interaction's callback state goes at the first sweep once idle and
 * its window closed: there is one initial response per interaction. At
 * 1,000 interactions a second the minute kept 60,000 lanes and buckets. */
TEST(callback_state_goes_once_idle)
{
    struct dbot__rl *rl = dbot__rl_new(50, 3);
    static struct req q[2000];
    struct dbot__rl_resp r = hdrs("cb", 1, 0, 1.0);
    struct dbot__rl_req *out[64];
    struct dbot__rl_stats st;
    char path[96];

    now = 0;
    for (int i = 0; i < 2000; i++) {
        snprintf(path, sizeof path, "/interactions/%d/tok%d/callback", i + 1,
                 i);
        submit(rl, &q[i], i, "POST", path);
    }
    /* One still queued behind a 5xx retry keeps its lane. */
    for (;;) {
        size_t n = dbot__rl_take(rl, now, out, 64, NULL);
        if (!n)
            break;
        for (size_t i = 0; i < n; i++) {
            dbot__rl_complete(rl, out[i], &r, now);
            if (out[i] == &q[7].rl)
                dbot__rl_requeue(rl, out[i], now + 5000);
        }
    }
    dbot__rl_stats(rl, &st);
    ASSERT_EQ(st.lanes, 2000);
    ASSERT_EQ(st.buckets, 2000);
    now = 999; /* windows (1 s) still open */
    dbot__rl_sweep(rl, now);
    dbot__rl_stats(rl, &st);
    ASSERT_EQ(st.buckets, 2000);
    now = 1000;
    dbot__rl_sweep(rl, now);
    dbot__rl_stats(rl, &st);
    ASSERT_EQ(st.lanes, 1);
    ASSERT_EQ(st.buckets, 1);
    ASSERT_EQ(st.queued, 1);
    dbot__rl_free(rl);
}

/* A token bucket whose window is still open stays while idle (forgetting
 * it could overrun the window), but not past the token's 15 minutes. */
TEST(token_state_with_an_open_window_waits_for_the_token)
{
    struct dbot__rl *rl = dbot__rl_new(50, 3);
    struct req q;
    struct dbot__rl_resp r = hdrs("wh", 5, 0, 1000.0);
    int ids[4];
    struct dbot__rl_stats st;

    now = 0;
    submit(rl, &q, 1, "POST", "/webhooks/1/tok/messages");
    ASSERT_EQ(take(rl, ids, 4, NULL), 1);
    dbot__rl_complete(rl, &q.rl, &r, now);
    now = DBOT__RL_TOKEN_IDLE_TTL_MS * 2;
    dbot__rl_sweep(rl, now);
    dbot__rl_stats(rl, &st);
    ASSERT_EQ(st.buckets, 1);
    now = DBOT__RL_TOKEN_TTL_MS;
    dbot__rl_sweep(rl, now);
    dbot__rl_stats(rl, &st);
    ASSERT_EQ(st.lanes, 0);
    ASSERT_EQ(st.buckets, 1); /* its window (1000 s) is still open */
    now = 1000 * 1000;
    dbot__rl_sweep(rl, now);
    dbot__rl_stats(rl, &st);
    ASSERT_EQ(st.buckets, 0);
    dbot__rl_free(rl);
}

TEST(idle_state_is_evicted_but_busy_state_kept)
{
    struct dbot__rl *rl = dbot__rl_new(50, 3);
    struct req a, b;
    struct dbot__rl_resp r = hdrs("x", 5, 4, 1.0);
    int ids[4];
    struct dbot__rl_stats st;

    now = 0;
    submit(rl, &a, 1, "GET", "/channels/1/messages");
    take(rl, ids, 4, NULL);
    dbot__rl_complete(rl, &a.rl, &r, now);
    submit(rl, &b, 2, "GET", "/channels/2/messages");
    take(rl, ids, 4, NULL); /* b stays in flight */
    now = DBOT__RL_IDLE_TTL_MS + 10;
    dbot__rl_sweep(rl, now);
    dbot__rl_stats(rl, &st);
    ASSERT_EQ(st.lanes, 1);   /* b's lane survives */
    ASSERT_EQ(st.buckets, 1); /* and so does its bucket */
    ASSERT_EQ(st.routes, 0);
    dbot__rl_complete(rl, &b.rl, &r, now);
    now += DBOT__RL_IDLE_TTL_MS;
    dbot__rl_sweep(rl, now);
    dbot__rl_stats(rl, &st);
    ASSERT_EQ(st.lanes, 0);
    ASSERT_EQ(st.buckets, 0);
    dbot__rl_free(rl);
}

TEST(invalid_requests_warn_loudly_and_slide)
{
    struct dbot__rl *rl = dbot__rl_new(50, 3);
    struct req q;
    struct dbot__rl_resp r = none(401);
    int ids[4];

    dbot_log_set_sink(sink, NULL);
    loglen = 0;
    logbuf[0] = '\0';
    now = 0;
    for (int i = 0; i < 1000; i++) {
        submit(rl, &q, i, "GET", "/users/@me");
        ASSERT_EQ(take(rl, ids, 4, NULL), 1);
        r.status = i % 3 == 0 ? 401 : i % 3 == 1 ? 403 : 429;
        r.retry_after = 0;
        if (dbot__rl_complete(rl, &q.rl, &r, now) >= 0)
            dbot__rl_finish(rl, &q.rl, now);
        now += 100; /* 1000 in 100 s */
    }
    ASSERT_EQ(dbot__rl_invalid_count(rl, now), 1000);
    ASSERT_CONTAINS(logbuf, "1000 invalid requests");
    now += DBOT__RL_INVALID_WINDOW_MS;
    ASSERT_EQ(dbot__rl_invalid_count(rl, now), 0);
    dbot_log_set_sink(NULL, NULL);
    dbot__rl_free(rl);
}

TEST(drain_returns_every_queued_request_once)
{
    struct dbot__rl *rl = dbot__rl_new(50, 3);
    struct req q[6];
    struct dbot__rl_req *d;
    int ids[8], seen = 0, n = 0;

    now = 0;
    for (int i = 0; i < 6; i++)
        submit(rl, &q[i], i, "POST",
               i % 2 ? "/channels/1/messages" : "/channels/2/messages");
    ASSERT_EQ(take(rl, ids, 8, NULL), 2); /* 0 and 1 in flight */
    while ((d = dbot__rl_drain(rl)) != NULL) {
        seen |= 1 << ((struct req *)d)->id;
        n++;
    }
    ASSERT_EQ(n, 4);
    ASSERT_EQ(seen, 0x3c);
    dbot__rl_free(rl);
}

int
main(void)
{
    RUN(route_keys_wildcard_minor_ids);
    RUN(reactions_share_one_route_per_channel);
    RUN(reactions_wait_for_the_channel_window);
    RUN(route_keys_hide_tokens);
    RUN(route_keys_reject_garbage);
    RUN(unknown_route_one_in_flight_per_lane);
    RUN(honours_remaining_and_reset_after_before_sending);
    RUN(bucket_shared_across_routes_with_same_hash);
    RUN(unknown_window_allows_one_request);
    RUN(own_decrement_beats_stale_headers);
    RUN(routes_without_headers_stop_probing);
    RUN(window_refills_after_reset);
    RUN(missing_headers_never_deadlock);
    RUN(per_route_429_blocks_bucket_and_requeues_at_head);
    RUN(huge_and_odd_waits_are_bounded);
    RUN(header_seconds_parse_strictly_and_saturate);
    RUN(requests_that_would_wait_past_their_deadline_expire);
    RUN(shared_scope_429_is_not_invalid);
    RUN(global_429_pauses_all_but_exempt_routes);
    RUN(scope_global_header_pauses_everything);
    RUN(global_limit_per_second_except_exempt);
    RUN(interactions_never_wait_behind_other_lanes);
    RUN(capped_take_keeps_room_for_interactions);
    RUN(interactions_have_separate_lanes);
    RUN(retry_requeue_keeps_fifo);
    RUN(idle_token_state_goes_after_a_minute);
    RUN(callback_state_goes_once_idle);
    RUN(token_state_with_an_open_window_waits_for_the_token);
    RUN(idle_state_is_evicted_but_busy_state_kept);
    RUN(invalid_requests_warn_loudly_and_slide);
    RUN(drain_returns_every_queued_request_once);
    RUN(webhook_headers_limit_their_token_only);
    return 0;
}
