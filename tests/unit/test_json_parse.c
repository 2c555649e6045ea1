/*
 * test_json_parse.c: dbot's parser (json_parse.c, through
 * dbot__jarena_parse) against cJSON_ParseWithLengthOpts on the same bytes:
 * both accept or both refuse, and accepted trees match node by node (type,
 * valueint, valuedouble to the bit, strings, keys, order, the head's prev
 * at the tail) with the same end. Inputs: hand-written edge cases (cJSON's
 * quirks among them), random JSON, and random mutations of a gateway
 * MESSAGE_CREATE (flipped, inserted, deleted and truncated bytes).
 */
#include "json_arena.h"
#include "rand.h"

#include "check.h"
#include "json_same.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct dbot__jarena *arena;
static uint64_t rng = 0x9E3779B97F4A7C15ull;
static long compared, accepted;

static uint64_t
next_rand(void)
{
    return dbot__rand_next(&rng); /* fixed seed: the same inputs each run */
}

/* Parse text both ways; fail the test on any difference. */
static void
compare(const char *text, size_t len)
{
    const char *end_ours = NULL, *end_cjson = NULL;
    struct dbot__jarena_mark m;
    cJSON *ours, *theirs;

    dbot__jarena_mark(arena, &m);
    ours = dbot__jarena_parse(arena, text, len, &end_ours);
    theirs = cJSON_ParseWithLengthOpts(text, len, &end_cjson, 0);
    compared++;
    if (!ours != !theirs || (ours && !json_same_tree(ours, theirs)) ||
        (ours && end_ours != end_cjson)) {
        fprintf(stderr, "differs on %zu bytes: ours %s, cJSON %s: %.*s\n", len,
                ours ? "accepts" : "refuses", theirs ? "accepts" : "refuses",
                (int)(len > 300 ? 300 : len), text);
        ASSERT_TRUE(0);
    }
    accepted += ours != NULL;
    dbot__jarena_rewind(arena, &m, ours);
    cJSON_Delete(theirs);
}

static void
compare_str(const char *text)
{
    compare(text, strlen(text));
}

TEST(edge_cases_match_cjson)
{
    static const char *cases[] = {
        "",
        " ",
        "null",
        "nul",
        "nullx",
        "true",
        "tru",
        "false",
        "fals",
        "0",
        "-0",
        "-",
        "--1",
        "+1",
        "01",
        "007",
        "1.5",
        "1.5.5",
        "1e5",
        "1E+5",
        "1e",
        "-1e-5",
        ".5",
        "1.",
        "123456789012345",
        "1234567890123456",
        "12345678901234567890",
        "-123456789012345",
        "2147483647",
        "2147483648",
        "-2147483648",
        "-2147483649",
        "1e400",
        "-1e400",
        "4.9e-324",
        "1e-400",
        "0000000000000000000000000000000000000000000000000000000000000000001",
        "\"\"",
        "\"a\"",
        "\"a",
        "\"\\\"",
        "\"\\\\\"",
        "\"\\/\\b\\f\\n\\r\\t\"",
        "\"\\x\"",
        "\"\\u00e9\"",
        "\"\\u00E9\"",
        "\"\\u20ac\"",
        "\"\\ud83d\\ude00\"",
        "\"\\ud83d\"",
        "\"\\ud83dx\"",
        "\"\\ud83d\\u0041\"",
        "\"\\ude00\"",
        "\"\\uZZZZ\"",
        "\"\\u12\"",
        "\"\\u0000\"",
        "\"a\\u0000b\"",
        "[]",
        "[",
        "]",
        "[1",
        "[1,",
        "[1,]",
        "[,1]",
        "[1 2]",
        "[ 1 , 2 ]",
        "[[[]]]",
        "{}",
        "{",
        "{\"a\"",
        "{\"a\":",
        "{\"a\":1",
        "{\"a\":1,}",
        "{\"a\" : 1 , \"b\":[true]}",
        "{a:1}",
        "{\"a\":1 \"b\":2}",
        "{\"\":null}",
        "{\"a\":1,\"a\":2}",
        "\xEF\xBB\xBFnull",
        "\xEF\xBB\xBF[1]",
        "\xEF\xBB\xBF{}",
        "\xEF\xBB\xBF",
        "\t\r\n [ \x01 1 \x1f ] ",
        "[1]garbage",
        "  1  ",
        "[\"\x80\xff\"]",
        "{\"t\":\"MESSAGE_CREATE\",\"s\":42,\"op\":0,\"d\":{\"id\":\"1\"}}",
    };

    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        compare_str(cases[i]);
    /* Embedded NULs, and a length that stops inside a value. */
    compare("\"a\0b\"", 5);
    compare("[1,2]", 3);
    compare("null", 3);
    compare("\"ab\"", 3);
}

TEST(nesting_limit_matches_cjson)
{
    enum {
        DEEP = CJSON_NESTING_LIMIT + 2
    };
    static char buf[2 * DEEP + 1];

    for (int depth = CJSON_NESTING_LIMIT - 1; depth <= DEEP; depth++) {
        memset(buf, '[', (size_t)depth);
        memset(buf + depth, ']', (size_t)depth);
        compare(buf, 2 * (size_t)depth);
    }
}

/* Random JSON, sometimes invalid, into buf. */
static size_t
gen(char *buf, size_t cap, int depth)
{
    static const char *atoms[] = {
        "null",
        "true",
        "false",
        "0",
        "-12",
        "3.25",
        "1e3",
        "\"x\"",
        "\"\\u00e9\\n\"",
        "\"\\ud83d\\ude00\"",
        "123456789012345678",
        "-0",
        "\"\"",
        " ",
        "nul",
        "\"\\q\"",
        "1.2.3",
    };
    size_t n = 0;
    int kind = (int)(next_rand() % (depth > 4 ? 1 : 4));

    if (cap < 64)
        return 0;
    if (kind == 0) {
        const char *a = atoms[next_rand() % (sizeof atoms / sizeof *atoms)];

        n = strlen(a);
        memcpy(buf, a, n);
        return n;
    }
    buf[n++] = kind == 1 ? '[' : '{';
    for (int i = 0, k = (int)(next_rand() % 5); i < k && n + 80 < cap; i++) {
        if (i)
            buf[n++] = next_rand() % 3 ? ',' : ' ';
        if (kind != 1)
            n += (size_t)snprintf(buf + n, cap - n, "\"k%d\"%s", i,
                                  next_rand() % 4 ? ":" : " : ");
        n += gen(buf + n, cap - n - 2, depth + 1);
    }
    buf[n++] = kind == 1 ? ']' : '}';
    return n;
}

TEST(random_json_matches_cjson)
{
    static char buf[8192];

    for (int i = 0; i < 20000; i++)
        compare(buf, gen(buf, sizeof buf, 0));
}

TEST(mutated_gateway_events_match_cjson)
{
    static const char event[] =
        "{\"t\":\"MESSAGE_CREATE\",\"s\":1234,\"op\":0,\"d\":{\"type\":0,"
        "\"tts\":false,\"timestamp\":\"2026-12-03T10:00:00.000000+00:00\","
        "\"pinned\":false,\"nonce\":\"1177\",\"mentions\":[],"
        "\"mention_roles\":[],\"mention_everyone\":false,\"member\":{\"roles\":"
        "[\"111\",\"222\"],\"nick\":null,\"mute\":false,\"joined_at\":"
        "\"2021-01-01T00:00:00.000000+00:00\",\"flags\":0,\"deaf\":false},"
        "\"id\":\"1180000000000000000\",\"flags\":0,\"embeds\":[],"
        "\"edited_timestamp\":null,\"content\":\"h\\u00e9llo \\ud83d\\ude00 "
        "\\\"quoted\\\" \\\\ world\",\"components\":[],\"channel_id\":"
        "\"1170000000000000000\",\"author\":{\"username\":\"someone\","
        "\"public_flags\":0,\"id\":\"1160000000000000000\",\"global_name\":"
        "\"Some One\",\"discriminator\":\"0\",\"avatar\":null},"
        "\"attachments\":[],\"guild_id\":\"1150000000000000000\","
        "\"score\":-1.5e-3,\"ratio\":0.25,\"big\":9007199254740993}}";
    static const char bytes[] = "{}[]\",:\\ 0123456789.-+eEnultrfasu\x01\xff";
    char buf[sizeof event + 16];

    compare_str(event);
    for (int i = 0; i < 100000; i++) {
        size_t len = sizeof event - 1;
        int edits = 1 + (int)(next_rand() % 3);

        memcpy(buf, event, len);
        while (edits-- && len > 1) {
            size_t at = next_rand() % len;
            char c = bytes[next_rand() % (sizeof bytes - 1)];

            switch (next_rand() % 4) {
            case 0:
                buf[at] = c;
                break;
            case 1:
                if (len + 1 < sizeof buf) {
                    memmove(buf + at + 1, buf + at, len - at);
                    buf[at] = c;
                    len++;
                }
                break;
            case 2:
                memmove(buf + at, buf + at + 1, len - at - 1);
                len--;
                break;
            default:
                len = at + 1;
                break;
            }
        }
        compare(buf, len);
    }
}

int
main(void)
{
    arena = dbot__jarena_new(1 << 20);
    ASSERT_TRUE(arena != NULL);
    RUN(edge_cases_match_cjson);
    RUN(nesting_limit_matches_cjson);
    RUN(random_json_matches_cjson);
    RUN(mutated_gateway_events_match_cjson);
    fprintf(stderr, "%ld inputs compared, %ld accepted by both\n", compared,
            accepted);
    /* Both outcomes were exercised, or the comparison proves little. */
    ASSERT_TRUE(accepted > 1000 && compared - accepted > 1000);
    dbot__jarena_free(arena);
    return 0;
}
