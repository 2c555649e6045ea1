#include "../check.h"
#include "log.h"

#include <dbot/dbot.h>

#include <stdlib.h>

static char captured[16384];
static size_t captured_len;

static void
capture(const char *line, size_t len, void *data)
{
    (void)data;
    if (captured_len + len < sizeof captured) {
        memcpy(captured + captured_len, line, len);
        captured_len += len;
        captured[captured_len] = '\0';
    }
}

TEST(redacts_token_anywhere_in_line)
{
    captured_len = 0;
    dbot_log_add_secret("MTIz.secret.token");
    dbot_log(DBOT_LOG_ERROR, "rest",
             "GET /x?t=MTIz.secret.token failed: "
             "Bot MTIz.secret.token");
    ASSERT_NOT_CONTAINS(captured, "MTIz.secret.token");
    ASSERT_CONTAINS(captured, "Bot [REDACTED]");
    ASSERT_CONTAINS(captured, " E rest: GET /x?t=[REDACTED] failed");
    dbot__log_clear_secrets();
}

TEST(level_filters_lines)
{
    captured_len = 0;
    captured[0] = '\0';
    dbot_log_set_level(DBOT_LOG_WARN);
    dbot_log(DBOT_LOG_INFO, "gateway", "hidden");
    dbot_log(DBOT_LOG_WARN, "gateway", "shown %d", 42);
    ASSERT_NOT_CONTAINS(captured, "hidden");
    ASSERT_CONTAINS(captured, " W gateway: shown 42\n");
    dbot_log_set_level(DBOT_LOG_INFO);
}

TEST(journal_format_uses_priority_prefix)
{
    captured_len = 0;
    dbot__log_set_format(DBOT__LOG_JOURNAL);
    dbot_log(DBOT_LOG_WARN, "worker", "queue full");
    ASSERT_STREQ(captured, "<4>worker: queue full\n");
    dbot__log_set_format(DBOT__LOG_TEXT);
}

TEST(newlines_are_flattened)
{
    captured_len = 0;
    dbot_log(DBOT_LOG_ERROR, "x", "a\nb");
    ASSERT_CONTAINS(captured, "x: a b\n");
}

TEST(short_secret_redaction_near_buffer_end)
{
    char buf[32] = "abcdXYZWabcdXYZWabcdXYZWabcd";
    size_t n;

    dbot_log_add_secret("XYZW");
    n = dbot__log_redact(buf, strlen(buf), sizeof buf);
    ASSERT_LE(n, sizeof buf - 1);
    ASSERT_NOT_CONTAINS(buf, "XYZW");
    dbot__log_clear_secrets();
}

/* One captured line, fresh. */
#define log_line(...)                      \
    (captured_len = 0, captured[0] = '\0', \
     dbot_log(DBOT_LOG_ERROR, "t", __VA_ARGS__), (const char *)captured)

/* The old list held 8 secrets: the 9th and later were printed. */
TEST(any_number_of_secrets_are_redacted)
{
    char secret[32];

    for (int i = 0; i < 100; i++) {
        snprintf(secret, sizeof secret, "sekrit-%03d-value", i);
        dbot_log_add_secret(secret);
    }
    for (int i = 0; i < 100; i++) {
        snprintf(secret, sizeof secret, "sekrit-%03d-value", i);
        ASSERT_NOT_CONTAINS(log_line("leak %s here", secret), secret);
        ASSERT_CONTAINS(captured, "leak [REDACTED] here");
    }
    dbot__log_clear_secrets();
}

/* A pasted token with a "Bot " prefix or blanks around it is one secret,
 * and the bare token inside is what must not show. */
TEST(padded_and_prefixed_secrets_hide_the_bare_token)
{
    dbot_log_add_secret("  Bot pastedtokenvalue1\n");
    dbot_log_add_secret("pastedtokenvalue1");
    dbot_log_add_secret(" pastedtokenvalue2 ");
    ASSERT_NOT_CONTAINS(log_line("Authorization: Bot %s", "pastedtokenvalue1"),
                        "pastedtoken");
    ASSERT_NOT_CONTAINS(log_line("t=%s;", "pastedtokenvalue2"), "pastedtoken");
    ASSERT_EQ(dbot__log_secret_count(), 2);
    dbot__log_clear_secrets();
}

/* Each add is undone by one remove, so the list stays as small as what is
 * live however many come and go. */
TEST(secrets_are_counted_and_removed)
{
    char secret[32];

    dbot_log_add_secret("twice-added-secret");
    dbot_log_add_secret("twice-added-secret");
    dbot_log_remove_secret("twice-added-secret");
    ASSERT_NOT_CONTAINS(log_line("%s", "twice-added-secret"), "twice-added");
    dbot_log_remove_secret("twice-added-secret");
    ASSERT_CONTAINS(log_line("%s", "twice-added-secret"), "twice-added");
    for (int i = 0; i < 10000; i++) {
        snprintf(secret, sizeof secret, "short-lived-%05d", i);
        dbot_log_add_secret(secret);
        dbot_log_remove_secret(secret);
    }
    ASSERT_EQ(dbot__log_secret_count(), 0);
    dbot_log_remove_secret("never-added");
    dbot__log_clear_secrets();
}

/* A secret across the 4,096-byte cut must not leak its first bytes: the
 * line is redacted whole, then cut. */
TEST(redaction_happens_before_the_cut)
{
    static char msg[6000];
    static const char secret[] = "Qz9pCutSecretThatCrossesTheLineEnd";

    dbot_log_add_secret(secret);
    for (size_t off = 4040; off < 4100; off += 3) {
        memset(msg, 'a', sizeof msg);
        memcpy(msg + off, secret, sizeof secret - 1);
        msg[off + sizeof secret - 1] = ' ';
        msg[5000] = '\0';
        log_line("%s", msg);
        ASSERT_LE(captured_len, 4096);
        ASSERT_NOT_CONTAINS(captured, "Qz9p");
    }
    dbot__log_clear_secrets();
}

/* Structure must not eat ordinary text. */
static void
assert_ordinary_lines_readable(void)
{
    static const char *const fine[] = {
        "gateway: shard 0: READY session 9f8e7d6c5b4a39281706f5e4d3c2b1a0",
        "rest: POST /channels/290926798629999999/messages: 429, retry in "
        "1.25 s (bucket abcd1234efgh)",
        "rest: route POST /webhooks/{id}/{token}/messages/@original",
        "rest: GET /webhooks/1234567890123456789 200",
        "gateway: resuming on wss://gateway-us-east1-b.discord.gg/?v=10&"
        "encoding=json&compress=zlib-stream",
        "sha256 "
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "APPLICATION_COMMAND_PERMISSIONS_UPDATE dispatched to 3 handlers",
        "user 53908232506183680 said: hello.world, see docs/service.md",
        "{\"id\":\"1\",\"token_type\":\"x\",\"tokens\":3}",
    };

    for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
        log_line("%s", fine[i]);
        ASSERT_NOT_CONTAINS(captured, "[REDACTED]");
        ASSERT_CONTAINS(captured, fine[i]);
    }
}

/* Tokens nobody registered, found by their place or their shape. */
TEST(token_shapes_are_redacted_and_ordinary_text_is_not)
{
    static const char *const leaks[] = {
        /* webhook and interaction routes, with a short token */
        "POST /api/v10/interactions/1234/shorttokXYZ/callback failed",
        "PATCH https://discord.com/api/v10/webhooks/99/shorttokXYZ/messages/"
        "@original: 404",
        "GET /webhooks/99/shorttokXYZ?wait=true",
        /* a bot token */
        "auth "
        "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GhIjKl.shorttokXYZabcdefghijklmnopqrst",
        /* an interaction payload as a handler prints it */
        "{\"id\":\"1\",\"token\":\"shorttokXYZ\",\"version\":1}",
        "{\"token\": \"shorttokXYZ\"}",
    };
    char run[200];

    for (size_t i = 0; i < sizeof leaks / sizeof leaks[0]; i++)
        ASSERT_NOT_CONTAINS(log_line("%s", leaks[i]), "shorttokXYZ");
    ASSERT_CONTAINS(log_line("%s", leaks[0]),
                    "/interactions/1234/[REDACTED]/callback failed");
    ASSERT_CONTAINS(log_line("%s", leaks[3]), "auth [REDACTED]");
    /* A long base64url run: how interaction and webhook tokens look. */
    memcpy(run, "aW50ZXJhY3Rpb246", 16);
    for (size_t i = 16; i < 150; i++)
        run[i] = "AbC0dE1fG2hI3jK4-_"[i % 18];
    run[150] = '\0';
    ASSERT_NOT_CONTAINS(log_line("token=%s end", run), "aW50ZXJh");
    ASSERT_CONTAINS(captured, "token=[REDACTED] end");
    /* Cut to 70 bytes it is still a token. */
    run[70] = '\0';
    ASSERT_NOT_CONTAINS(log_line("x %s", run), "aW50ZXJh");
    assert_ordinary_lines_readable();
}

TEST(level_names_parse)
{
    ASSERT_EQ(dbot_log_level_parse("debug"), DBOT_LOG_DEBUG);
    ASSERT_EQ(dbot_log_level_parse("loud"), DBOT_EINVAL);
    ASSERT_STREQ(dbot_err_name(DBOT_ETIMEDOUT), "DBOT_ETIMEDOUT");
    ASSERT_STREQ(dbot_strerror(DBOT_EAUTH),
                 "authentication failed: check the bot token");
}

/* Tokens dressed up the ways a careless log line dresses them: glued to
 * what precedes them, after a URL-encoded "Bot ", in an upper-case path,
 * under a capitalized JSON key. None registered: the shape alone hides
 * them. */
TEST(dressed_up_tokens_are_redacted)
{
    static const char tok[] = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GaBcDe."
                              "abcdefghijklmnopqrstuvwxyz0123456789AB";
    static const char *const around[][2] = {
        { "auth: Bot%20", "" },
        { "x", "" },
        { "PATCH /api/v10/WEBHOOKS/123/", "/messages/@original" },
        { "{\"Token\":\"", "\"}" },
        /* as a JSON string of the URL: escaped slashes */
        { "{\"url\":\"https:\\/\\/discord.com\\/api\\/webhooks\\/123\\/",
          "\"}" },
        /* URL-encoded slashes around it */
        { "next=%2Fapi%2Fv10%2Fwebhooks%2F123%2F", "%2Fmessages" },
    };
    char line[512];

    dbot__log_clear_secrets();
    for (size_t i = 0; i < sizeof around / sizeof around[0]; i++) {
        char buf[512];
        size_t n;

        snprintf(line, sizeof line, "%s%s%s", around[i][0], tok, around[i][1]);
        n = strlen(line);
        memcpy(buf, line, n + 1);
        n = dbot__log_redact(buf, n, sizeof buf);
        buf[n] = '\0';
        if (strstr(buf, "GaBcDe.abcdefghij") || strstr(buf, "MTIzNDU2Nzg5"))
            CHECK_FAIL_("not redacted: %s -> %s", line, buf);
    }
    /* Short tokens (no shape of their own) after an escaped or encoded
     * webhook path, and a bot token whose dots are URL-encoded. */
    {
        static const char *const leaks[] = {
            "{\"u\":\"\\/api\\/v10\\/webhooks\\/99\\/shorttokXYZ\"}",
            "GET %2Fapi%2Fv10%2Finteractions%2F99%2Fshorttokxyz%2Fcallback",
            "auth MTIzNDU2Nzg5MDEyMzQ1Njc4OQ%2EGhIjKl%2E"
            "shorttokXYZabcdefghijklmnopqrst",
        };

        for (size_t i = 0; i < sizeof leaks / sizeof leaks[0]; i++) {
            char buf[512];
            size_t n = strlen(leaks[i]);

            memcpy(buf, leaks[i], n + 1);
            n = dbot__log_redact(buf, n, sizeof buf);
            buf[n] = '\0';
            if (strcasestr(buf, "shorttok"))
                CHECK_FAIL_("not redacted: %s -> %s", leaks[i], buf);
        }
    }
}

int
main(void)
{
    RUN(dressed_up_tokens_are_redacted);
    dbot_log_set_sink(capture, NULL);
    dbot__log_set_format(DBOT__LOG_TEXT);
    RUN(redacts_token_anywhere_in_line);
    RUN(level_filters_lines);
    RUN(journal_format_uses_priority_prefix);
    RUN(newlines_are_flattened);
    RUN(short_secret_redaction_near_buffer_end);
    RUN(any_number_of_secrets_are_redacted);
    RUN(padded_and_prefixed_secrets_hide_the_bare_token);
    RUN(secrets_are_counted_and_removed);
    RUN(redaction_happens_before_the_cut);
    RUN(token_shapes_are_redacted_and_ordinary_text_is_not);
    RUN(level_names_parse);
    return 0;
}
