/*
 * test_json_arena.c: cJSON trees in an arena (dbot's parser allocates
 * from it directly; cJSON's own allocations stay on the heap), and the
 * gateway envelope parsed into one.
 */
#include "../check.h"
#include "gateway_codec.h"
#include "json_arena.h"

#include <dbot/dbot.h>

#include <pthread.h>

static const char *msg_create =
    "{\"t\":\"MESSAGE_CREATE\",\"s\":42,\"op\":0,\"d\":{\"id\":\"1\","
    "\"content\":\"h\\u00e9llo \\ud83d\\ude00\",\"n\":[1,2.5,-3e2],"
    "\"ok\":true,\"no\":null}}";

static void
check_tree(const cJSON *root)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "d");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(d, "n");

    ASSERT_STREQ(cJSON_GetObjectItemCaseSensitive(root, "t")->valuestring,
                 "MESSAGE_CREATE");
    ASSERT_STREQ(cJSON_GetObjectItemCaseSensitive(d, "content")->valuestring,
                 "h\xc3\xa9llo \xf0\x9f\x98\x80");
    ASSERT_EQ(cJSON_GetArraySize(n), 3);
    ASSERT_TRUE(cJSON_GetArrayItem(n, 1)->valuedouble == 2.5);
    ASSERT_TRUE(cJSON_GetArrayItem(n, 2)->valuedouble == -300);
    ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "ok")));
    ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(d, "no")));
}

TEST(the_tree_is_in_the_arena)
{
    struct dbot__jarena *a = dbot__jarena_new(1 << 20);
    cJSON *root;
    size_t held;

    for (int i = 0; i < 3; i++) {
        root = dbot__jarena_parse(a, msg_create, strlen(msg_create), NULL);
        ASSERT_TRUE(root != NULL);
        check_tree(root);
        held = dbot__jarena_held(a);
        ASSERT_EQ(held, 64 * 1024); /* one chunk, reused every time */
        /* A copy (what a handler keeps) is a heap tree of its own. */
        cJSON *copy = cJSON_Duplicate(root, 1);
        dbot__jarena_release(a, root);
        check_tree(copy);
        cJSON_Delete(copy);
    }
    dbot__jarena_free(a);
}

/* cJSON's own allocations, on any thread, are plain malloc and free. */
static void *
other_thread(void *arg)
{
    cJSON *o = cJSON_CreateObject();

    (void)arg;
    cJSON_AddStringToObject(o, "k", "v");
    char *s = cJSON_PrintUnformatted(o);
    ASSERT_STREQ(s, "{\"k\":\"v\"}");
    cJSON_free(s);
    cJSON_Delete(o);
    return NULL;
}

TEST(other_allocations_stay_on_the_heap)
{
    pthread_t t;
    cJSON *o = cJSON_Parse(msg_create);

    ASSERT_TRUE(o != NULL);
    check_tree(o);
    cJSON_Delete(o);
    ASSERT_EQ(pthread_create(&t, NULL, other_thread, NULL), 0);
    ASSERT_EQ(pthread_join(t, NULL), 0);
}

TEST(invalid_json_fails_and_leaves_the_arena_empty)
{
    static const char *bad[] = { "{\"a\":[1,2,{\"b\":\"c\"", "{\"a\":tru}",
                                 "[\"\\ud800\"]", "" };
    struct dbot__jarena *a = dbot__jarena_new(1 << 20);

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ASSERT_TRUE(dbot__jarena_parse(a, bad[i], strlen(bad[i]), NULL) ==
                    NULL);
        ASSERT_EQ(dbot__jarena_overflowed(a), 0);
    }
    /* And the arena still works. */
    cJSON *root = dbot__jarena_parse(a, msg_create, strlen(msg_create), NULL);
    check_tree(root);
    dbot__jarena_release(a, root);
    dbot__jarena_free(a);
}

/* A tree bigger than the first chunk takes more chunks, within the bound;
 * released, the arena shrinks back to its first chunk. Past the bound the
 * parse fails and says so. */
TEST(large_trees_grow_within_the_bound_and_shrink_back)
{
    size_t n = 40000, len = 0;
    char *text = malloc(n * 12 + 16);
    struct dbot__jarena *a = dbot__jarena_new(8u << 20);
    cJSON *root;

    text[len++] = '[';
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(text + len, "%s\"s%zu\"", i ? "," : "", i);
    text[len++] = ']';
    root = dbot__jarena_parse(a, text, len, NULL);
    ASSERT_TRUE(root != NULL);
    ASSERT_EQ(cJSON_GetArraySize(root), (int)n);
    ASSERT_STREQ(cJSON_GetArrayItem(root, (int)n - 1)->valuestring, "s39999");
    ASSERT_GE(dbot__jarena_held(a), n * 64);
    ASSERT_LE(dbot__jarena_held(a), 8u << 20);
    dbot__jarena_release(a, root);
    ASSERT_EQ(dbot__jarena_held(a), 64 * 1024);
    dbot__jarena_free(a);

    a = dbot__jarena_new(1 << 20);
    ASSERT_TRUE(dbot__jarena_parse(a, text, len, NULL) == NULL);
    ASSERT_EQ(dbot__jarena_overflowed(a), 1);
    ASSERT_LE(dbot__jarena_held(a), 64 * 1024);
    dbot__jarena_free(a);
    free(text);
}

/* A batch: many trees in one arena, each under its own bound, the newest
 * rewound alone, all freed by a reset that keeps only the first chunk
 * (the gateway thread pools arenas: one that never shrank would grow with
 * every batch it carried). */
TEST(a_batch_of_trees_rewinds_and_resets)
{
    static const char *ev = "{\"t\":\"MESSAGE_CREATE\",\"d\":{\"content\":"
                            "\"0123456789abcdef0123456789abcdef\"}}";
    struct dbot__jarena *a = dbot__jarena_new(64 * 1024);
    struct dbot__jarena_mark m;
    cJSON *trees[2000], *extra;

    for (int i = 0; i < 2000; i++) {
        trees[i] = dbot__jarena_parse(a, ev, strlen(ev), NULL);
        ASSERT_TRUE(trees[i] != NULL);
    }
    /* 2,000 trees held at once: far past one tree's 64 KiB bound. */
    ASSERT_GE(dbot__jarena_held(a), 256 * 1024);
    ASSERT_STREQ(cJSON_GetObjectItem(trees[0], "t")->valuestring,
                 "MESSAGE_CREATE");
    dbot__jarena_mark(a, &m);
    extra = dbot__jarena_parse(a, ev, strlen(ev), NULL);
    ASSERT_TRUE(extra != NULL);
    dbot__jarena_rewind(a, &m, extra);
    /* The older trees are intact after the rewind. */
    ASSERT_STREQ(cJSON_GetObjectItem(trees[1999], "t")->valuestring,
                 "MESSAGE_CREATE");
    dbot__jarena_reset(a);
    ASSERT_EQ(dbot__jarena_held(a), 64 * 1024);
    dbot__jarena_free(a);
}

TEST(gateway_envelope_in_an_arena)
{
    struct dbot__jarena *a = dbot__jarena_new(1 << 20);
    struct dbot__gw_msg m;
    char err[128];

    ASSERT_EQ(dbot__gw_parse_in(a, msg_create, strlen(msg_create), &m, err,
                                sizeof err),
              0);
    ASSERT_EQ(m.op, 0);
    ASSERT_EQ(m.s, 42);
    ASSERT_STREQ(m.t, "MESSAGE_CREATE");
    ASSERT_TRUE(m.arena == a);
    check_tree(m.root);
    dbot__gw_msg_release(&m);
    ASSERT_TRUE(m.root == NULL);

    /* Rejected envelopes release their tree too. */
    ASSERT_EQ(dbot__gw_parse_in(a, "{\"op\":0,\"s\":1,\"d\":{}}", 21, &m, err,
                                sizeof err),
              DBOT_EJSON);
    ASSERT_TRUE(strstr(err, "\"t\"") != NULL);
    ASSERT_EQ(dbot__gw_parse_in(a, "{\"op\":", 6, &m, err, sizeof err),
              DBOT_EJSON);

    /* A tree over the arena's bound is DBOT_ETOOBIG, not "invalid". */
    struct dbot__jarena *small = dbot__jarena_new(64 * 1024);
    size_t len = 0;
    char *big = malloc(200000);
    len += (size_t)sprintf(big, "{\"op\":0,\"s\":1,\"t\":\"X\",\"d\":[");
    while (len < 190000)
        len += (size_t)sprintf(big + len, "0,");
    len += (size_t)sprintf(big + len, "0]}");
    ASSERT_EQ(dbot__gw_parse_in(small, big, len, &m, err, sizeof err),
              DBOT_ETOOBIG);
    ASSERT_TRUE(strstr(err, "bound") != NULL);
    free(big);
    dbot__jarena_free(small);
    dbot__jarena_free(a);
}

int
main(void)
{
    RUN(the_tree_is_in_the_arena);
    RUN(other_allocations_stay_on_the_heap);
    RUN(invalid_json_fails_and_leaves_the_arena_empty);
    RUN(large_trees_grow_within_the_bound_and_shrink_back);
    RUN(a_batch_of_trees_rewinds_and_resets);
    RUN(gateway_envelope_in_an_arena);
    return 0;
}
