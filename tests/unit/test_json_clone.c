/*
 * test_json_clone.c: a one-block copy reads exactly like the original.
 */
#include "../check.h"
#include "json_clone.h"

static const char *ix_json =
    "{\"id\":\"1180000000000000001\",\"application_id\":\"99\",\"type\":2,"
    "\"token\":\"aW50ZXJhY3Rpb246MTE4MDAwMDAwMDAwMDAwMDAwMTpzZWNyZXQ\","
    "\"data\":{\"name\":\"fortune\",\"type\":1,\"options\":[{\"name\":"
    "\"topic\",\"type\":3,\"value\":\"life \\u00e9\"},{\"name\":\"n\","
    "\"type\":4,\"value\":42},{\"name\":\"x\",\"type\":10,\"value\":-2.5}]},"
    "\"member\":{\"user\":{\"id\":\"7\",\"username\":\"u\"},\"roles\":[]},"
    "\"locale\":\"en-US\",\"empty\":{},\"list\":[[],[1,[2,[3]]],null,true,"
    "false,\"\"],\"version\":1}";

TEST(clone_prints_like_the_original)
{
    cJSON *src = cJSON_Parse(ix_json);
    cJSON *c = dbot__json_clone(src);
    char *a = cJSON_PrintUnformatted(src), *b = cJSON_PrintUnformatted(c);

    ASSERT_TRUE(c != NULL);
    ASSERT_STREQ(a, b);
    ASSERT_TRUE(cJSON_Compare(src, c, 1));
    cJSON_free(a);
    cJSON_free(b);
    cJSON_Delete(src); /* the clone owns nothing of it */
    /* Lookups, array walks backwards (first->prev is the last) and a
     * cJSON_Duplicate of the clone all work. */
    const cJSON *opts = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItem(c, "data"), "options");
    ASSERT_EQ(cJSON_GetArraySize(opts), 3);
    ASSERT_STREQ(cJSON_GetObjectItem(opts->child->prev, "name")->valuestring,
                 "x");
    ASSERT_TRUE(cJSON_GetObjectItem(opts->child->prev, "value")->valuedouble ==
                -2.5);
    ASSERT_EQ(
        cJSON_GetObjectItem(cJSON_GetArrayItem(opts, 1), "value")->valueint,
        42);
    cJSON *dup = cJSON_Duplicate(c, 1);
    ASSERT_TRUE(cJSON_Compare(dup, c, 1));
    cJSON_Delete(dup);
    dbot__json_clone_free(c);
}

TEST(clone_of_a_member_takes_no_siblings)
{
    cJSON *src = cJSON_Parse(ix_json);
    const cJSON *data = cJSON_GetObjectItem(src, "data");
    cJSON *c = dbot__json_clone(data);

    ASSERT_TRUE(c->next == NULL && c->prev == NULL);
    ASSERT_STREQ(c->string, "data");
    ASSERT_TRUE(cJSON_Compare(data, c, 1));
    dbot__json_clone_free(c);
    cJSON_Delete(src);
}

TEST(scalars_and_null)
{
    cJSON *s = cJSON_CreateString("only");
    cJSON *c = dbot__json_clone(s);

    ASSERT_STREQ(c->valuestring, "only");
    dbot__json_clone_free(c);
    cJSON_Delete(s);
    ASSERT_TRUE(dbot__json_clone(NULL) == NULL);
    dbot__json_clone_free(NULL);
}

/* What the interaction layer adds to its copy (the declared options) is
 * freed with it: ASan and valgrind see a leak otherwise. */
TEST(items_added_to_a_clone_are_freed_with_it)
{
    cJSON *src = cJSON_Parse("{\"data\":{\"name\":\"x\",\"options\":[1,2]}}");
    cJSON *c = dbot__json_clone(src), *data, *names;
    char *text;

    ASSERT_TRUE(c != NULL);
    data = cJSON_GetObjectItemCaseSensitive(c, "data");
    names = cJSON_CreateArray();
    cJSON_AddItemToArray(names, cJSON_CreateString("a"));
    cJSON_AddItemToObject(data, "added", names);
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(data, "options"),
                         cJSON_CreateNumber(3));
    text = cJSON_PrintUnformatted(c);
    ASSERT_STREQ(text, "{\"data\":{\"name\":\"x\",\"options\":[1,2,3],"
                       "\"added\":[\"a\"]}}");
    free(text);
    dbot__json_clone_free(c);
    cJSON_Delete(src);
}

int
main(void)
{
    RUN(clone_prints_like_the_original);
    RUN(clone_of_a_member_takes_no_siblings);
    RUN(scalars_and_null);
    RUN(items_added_to_a_clone_are_freed_with_it);
    return 0;
}
