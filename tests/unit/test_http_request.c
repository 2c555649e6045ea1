/*
 * test_http_request.c: the listener's request decision. GET and HEAD of a
 * path are served (query dropped); every Upgrade is refused with 400 and a
 * close, never a 101; bodies and other methods close the connection; bad
 * and overlong targets are refused. With a body bound (the interactions
 * listener), a POST within it is served, over it 413, without a length
 * 411, each closing when refused.
 */
#include "../check.h"
#include "http_request.h"

static size_t max_body; /* 0: the monitoring listener's rules */

static struct dbot__http_verdict
decide(const char *method, const char *uri, const char *upgrade, long long cl,
       int chunked)
{
    struct dbot__http_req r = {
        .method = method,
        .method_len = method ? strlen(method) : 0,
        .uri = uri,
        .uri_len = uri ? strlen(uri) : 0,
        .upgrade = upgrade,
        .upgrade_len = upgrade ? strlen(upgrade) : 0,
        .content_length = cl,
        .chunked = chunked,
        .max_body = max_body,
    };
    struct dbot__http_verdict v;

    dbot__http_decide(&r, &v);
    return v;
}

TEST(get_and_head_are_served)
{
    struct dbot__http_verdict v = decide("GET", "/metrics", NULL, -1, 0);

    ASSERT_EQ(v.status, 0);
    ASSERT_EQ(v.head, 0);
    ASSERT_EQ(v.close, 0);
    ASSERT_EQ(v.path_len, 8);
    ASSERT_TRUE(memcmp(v.path, "/metrics", 8) == 0);
    v = decide("HEAD", "/healthz?verbose=1", NULL, 0, 0);
    ASSERT_EQ(v.status, 0);
    ASSERT_EQ(v.head, 1);
    ASSERT_EQ(v.path_len, 8);
    ASSERT_TRUE(memcmp(v.path, "/healthz", 8) == 0);
    v = decide("GET", "/", NULL, -1, 0);
    ASSERT_EQ(v.status, 0);
    ASSERT_EQ(v.path_len, 1);
}

TEST(upgrades_are_refused_and_closed)
{
    static const char *const ups[] = { "websocket", "WebSocket", "h2c",
                                       "TLS/1.0", "x" };

    for (size_t i = 0; i < sizeof ups / sizeof ups[0]; i++) {
        struct dbot__http_verdict v = decide("GET", "/", ups[i], -1, 0);

        ASSERT_EQ(v.status, 400);
        ASSERT_EQ(v.close, 1);
        ASSERT_CONTAINS(v.body, "upgrade");
    }
    /* Even with another problem, the upgrade answer (which closes) wins. */
    ASSERT_EQ(decide("POST", "x", "websocket", 5, 1).close, 1);
    /* An empty Upgrade header asks for nothing. */
    ASSERT_EQ(decide("GET", "/", "", -1, 0).status, 0);
}

TEST(bodies_and_other_methods_close)
{
    struct dbot__http_verdict v = decide("GET", "/", NULL, 10, 0);

    ASSERT_EQ(v.status, 400);
    ASSERT_EQ(v.close, 1);
    ASSERT_EQ(decide("GET", "/", NULL, -1, 1).status, 400);
    v = decide("POST", "/metrics", NULL, 0, 0);
    ASSERT_EQ(v.status, 405);
    ASSERT_EQ(v.close, 1);
    ASSERT_STREQ(v.body, "only GET and HEAD\n");
    ASSERT_EQ(decide(NULL, "/", NULL, -1, 0).status, 405);
    ASSERT_EQ(decide("GETX", "/", NULL, -1, 0).status, 405);
}

TEST(targets)
{
    char longp[DBOT__HTTP_PATH_MAX + 3];
    struct dbot__http_verdict v;

    ASSERT_EQ(decide("GET", "", NULL, -1, 0).status, 400);
    ASSERT_EQ(decide("GET", NULL, NULL, -1, 0).status, 400);
    ASSERT_EQ(decide("GET", "http://x/", NULL, -1, 0).status, 400);
    ASSERT_EQ(decide("GET", "*", NULL, -1, 0).close, 0);
    memset(longp, 'a', sizeof longp - 1);
    longp[0] = '/';
    longp[sizeof longp - 1] = '\0';
    ASSERT_EQ(decide("GET", longp, NULL, -1, 0).status, 414);
    longp[DBOT__HTTP_PATH_MAX] = '?';
    v = decide("GET", longp, NULL, -1, 0);
    ASSERT_EQ(v.status, 0);
    ASSERT_EQ(v.path_len, DBOT__HTTP_PATH_MAX);
    v = decide("GET", "/a#frag", NULL, -1, 0);
    ASSERT_EQ(v.path_len, 2);
}

/* A Content-Length we cannot trust closes the connection: lws and the
 * listener could disagree on where a pipelined request starts. */
TEST(untrusted_content_length_closes)
{
    struct dbot__http_verdict v;

    ASSERT_EQ(dbot__http_content_length("0"), 0);
    ASSERT_EQ(dbot__http_content_length("12"), 12);
    ASSERT_EQ(dbot__http_content_length("-5"), -2);
    ASSERT_EQ(dbot__http_content_length(" 5"), -2);
    ASSERT_EQ(dbot__http_content_length("5x"), -2);
    ASSERT_EQ(dbot__http_content_length(""), -2);
    ASSERT_EQ(dbot__http_content_length("99999999999999999999999"), -2);
    v = decide("GET", "/healthz", NULL, dbot__http_content_length("-5"), 0);
    ASSERT_EQ(v.status, 400);
    ASSERT_TRUE(v.close);
    v = decide("GET", "/healthz", NULL, dbot__http_content_length("0"), 0);
    ASSERT_EQ(v.status, 0);
}

TEST(posts_within_the_bound_are_read)
{
    struct dbot__http_verdict v;

    max_body = 1000;
    v = decide("POST", "/interactions", NULL, 1000, 0);
    ASSERT_EQ(v.status, 0);
    ASSERT_EQ(v.post, 1);
    ASSERT_EQ(v.body_len, 1000);
    ASSERT_EQ(v.path_len, 13);
    v = decide("POST", "/interactions", NULL, 0, 0);
    ASSERT_EQ(v.status, 0);
    ASSERT_EQ(v.body_len, 0);
    v = decide("POST", "/interactions", NULL, 1001, 0);
    ASSERT_EQ(v.status, 413);
    ASSERT_EQ(v.close, 1);
    v = decide("POST", "/interactions", NULL, -1, 0);
    ASSERT_EQ(v.status, 411);
    ASSERT_EQ(v.close, 1);
    ASSERT_EQ(decide("POST", "/interactions", NULL, 10, 1).status, 411);
    ASSERT_EQ(decide("POST", "/interactions", NULL, -2, 0).status, 400);
    /* Other methods are still refused; GET still has no body. */
    v = decide("PUT", "/interactions", NULL, -1, 0);
    ASSERT_EQ(v.status, 405);
    ASSERT_STREQ(v.body, "only POST, GET and HEAD\n");
    ASSERT_EQ(decide("GET", "/", NULL, 10, 0).status, 400);
    ASSERT_EQ(decide("GET", "/", NULL, -1, 0).post, 0);
    /* A bad target on a POST closes: its body is not read. */
    v = decide("POST", "x", NULL, 10, 0);
    ASSERT_EQ(v.status, 400);
    ASSERT_EQ(v.close, 1);
    ASSERT_EQ(v.post, 0);
    max_body = 0;
}

int
main(void)
{
    RUN(untrusted_content_length_closes);
    RUN(get_and_head_are_served);
    RUN(upgrades_are_refused_and_closed);
    RUN(bodies_and_other_methods_close);
    RUN(targets);
    RUN(posts_within_the_bound_are_read);
    return 0;
}
