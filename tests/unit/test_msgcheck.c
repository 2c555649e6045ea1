/* Discord's limits on raw answer bodies (msgcheck.c): each limit at its
 * edge, counted in characters as the builders count them, and the error
 * text naming the field. */
#include "check.h"

#include "msgcheck.h"

#include <dbot/dbot.h>

#include <stdlib.h>
#include <string.h>

static char *
repeat(const char *unit, int n)
{
    size_t u = strlen(unit);
    char *s = malloc(u * (size_t)n + 1);

    for (int i = 0; i < n; i++)
        memcpy(s + u * (size_t)i, unit, u);
    s[u * (size_t)n] = '\0';
    return s;
}

/* Run `fn` on `json` and expect `code` and, if given, the error text. */
static void
expect(int (*fn)(struct dbot__bld *, const cJSON *), const char *json, int code,
       const char *err)
{
    struct dbot__bld b = { 0 };
    cJSON *j = cJSON_Parse(json);

    ASSERT_TRUE(j != NULL);
    ASSERT_EQ(fn(&b, j), code);
    if (err)
        ASSERT_STREQ(b.err, err);
    cJSON_Delete(j);
}

/* {"content": n copies of unit}. */
static void
content(const char *unit, int n, int code, const char *err)
{
    char *text = repeat(unit, n);
    cJSON *m = cJSON_CreateObject();
    char *json;

    cJSON_AddStringToObject(m, "content", text);
    json = cJSON_PrintUnformatted(m);
    expect(dbot__check_message, json, code, err);
    free(json);
    cJSON_Delete(m);
    free(text);
}

TEST(content_counts_characters)
{
    content("x", 2000, 0, NULL);
    content("\xc3\xa9", 2000, 0, NULL);         /* 4000 bytes */
    content("\xf0\x9f\x91\x8d", 2000, 0, NULL); /* 8000 bytes */
    content("x", 2001, DBOT_ETOOBIG,
            "content: longer than 2000 characters (2001)");
    content("\xc3\xa9", 2001, DBOT_ETOOBIG, NULL);
    expect(dbot__check_message, "{\"content\":\"\\u00ff\"}", 0, NULL);
    expect(dbot__check_message, "{\"content\":5}", DBOT_EINVAL,
           "content: not a string");
    expect(dbot__check_message, "{\"content\":null}", 0, NULL);
    expect(dbot__check_message, "[]", DBOT_EINVAL, NULL);
}

TEST(embeds_count_and_total)
{
    char *big = repeat("d", 4096), *json;
    cJSON *m = cJSON_CreateObject(),
          *embeds = cJSON_AddArrayToObject(m, "embeds");

    for (int i = 0; i < 2; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "description", big);
        cJSON_AddItemToArray(embeds, e);
    }
    json = cJSON_PrintUnformatted(m);
    expect(dbot__check_message, json, DBOT_ETOOBIG,
           "embeds: all embeds together have 8192 characters; the limit is "
           "6000");
    free(json);
    cJSON_Delete(m);
    free(big);
    expect(dbot__check_message,
           "{\"embeds\":[{},{},{},{},{},{},{},{},{},{},{}]}", DBOT_ETOOBIG,
           "embeds: more than 10 embeds");
    expect(dbot__check_message,
           "{\"embeds\":[{\"fields\":[{\"name\":\"a\"}]}]}", DBOT_EINVAL,
           "embeds[0].fields[0].value: missing");
}

TEST(components_rows_v2_and_custom_ids)
{
    char *id = repeat("i", 101), json[512];

    expect(dbot__check_message,
           "{\"components\":[{\"type\":1,\"components\":[]},{\"type\":1},"
           "{\"type\":1},{\"type\":1},{\"type\":1},{\"type\":1}]}",
           DBOT_ETOOBIG, "components: more than 5 action rows");
    expect(dbot__check_message,
           "{\"components\":[{\"type\":1,\"components\":[{},{},{},{},{},{}]}]}",
           DBOT_ETOOBIG, "components[0]: more than 5 components in a row");
    snprintf(json, sizeof json,
             "{\"components\":[{\"type\":1,\"components\":[{\"type\":2,"
             "\"style\":1,\"label\":\"x\",\"custom_id\":\"%s\"}]}]}",
             id);
    expect(dbot__check_message, json, DBOT_ETOOBIG,
           "components[0].components[0].custom_id: longer than 100 "
           "characters (101)");
    free(id);
    /* Components V2: 40 in all, rows or not. */
    {
        cJSON *m = cJSON_CreateObject(),
              *c = cJSON_AddArrayToObject(m, "components");
        char *text;

        cJSON_AddNumberToObject(m, "flags", 1 << 15);
        for (int i = 0; i < 41; i++) {
            cJSON *t = cJSON_CreateObject();
            cJSON_AddNumberToObject(t, "type", 10);
            cJSON_AddStringToObject(t, "content", "hi");
            cJSON_AddItemToArray(c, t);
        }
        text = cJSON_PrintUnformatted(m);
        expect(dbot__check_message, text, DBOT_ETOOBIG,
               "components: 41 components; Components V2 allows 40 in all");
        free(text);
        cJSON_Delete(m);
    }
}

TEST(choices_and_modals)
{
    char json[4096];
    int n = 0;

    n += snprintf(json + n, sizeof json - (size_t)n, "{\"choices\":[");
    for (int i = 0; i < 26; i++)
        n += snprintf(json + n, sizeof json - (size_t)n,
                      "%s{\"name\":\"n%d\",\"value\":%d}", i ? "," : "", i, i);
    snprintf(json + n, sizeof json - (size_t)n, "]}");
    expect(dbot__check_choices, json, DBOT_ETOOBIG,
           "choices: 26; the limit is 25");
    expect(dbot__check_choices, "{\"choices\":[{\"name\":\"\",\"value\":1}]}",
           DBOT_EINVAL, "choices[0].name: empty (1-100 characters)");
    expect(dbot__check_choices, "{\"choices\":[]}", 0, NULL);
    expect(dbot__check_modal,
           "{\"custom_id\":\"m\",\"title\":\"0123456789012345678901234567890"
           "123456789012345\",\"components\":[{\"type\":18}]}",
           DBOT_ETOOBIG, "title: longer than 45 characters (46)");
    expect(dbot__check_modal,
           "{\"custom_id\":\"m\",\"title\":\"t\",\"components\":[]}",
           DBOT_EINVAL, "components: a modal needs 1-5 components");
    expect(dbot__check_modal,
           "{\"custom_id\":\"m\",\"title\":\"t\",\"components\":[{\"type\":18,"
           "\"label\":\"L\",\"component\":{\"type\":4,\"custom_id\":\"\"}}]}",
           DBOT_EINVAL,
           "components[0].component.custom_id: empty (1-100 characters)");
}

int
main(void)
{
    RUN(content_counts_characters);
    RUN(embeds_count_and_total);
    RUN(components_rows_v2_and_custom_ids);
    RUN(choices_and_modals);
    return 0;
}
