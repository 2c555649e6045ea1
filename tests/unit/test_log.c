#include "../check.h"
#include "log.h"

#include <dbot/dbot.h>

static char captured[8192];
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
    dbot_log(DBOT_LOG_ERROR, "rest", "GET /x?t=MTIz.secret.token failed: "
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

TEST(level_names_parse)
{
    ASSERT_EQ(dbot_log_level_parse("debug"), DBOT_LOG_DEBUG);
    ASSERT_EQ(dbot_log_level_parse("loud"), DBOT_EINVAL);
    ASSERT_STREQ(dbot_err_name(DBOT_ETIMEDOUT), "DBOT_ETIMEDOUT");
    ASSERT_STREQ(dbot_strerror(DBOT_EAUTH),
                 "authentication failed: check the bot token");
}

int
main(void)
{
    dbot_log_set_sink(capture, NULL);
    dbot__log_set_format(DBOT__LOG_TEXT);
    RUN(redacts_token_anywhere_in_line);
    RUN(level_filters_lines);
    RUN(journal_format_uses_priority_prefix);
    RUN(newlines_are_flattened);
    RUN(short_secret_redaction_near_buffer_end);
    RUN(level_names_parse);
    return 0;
}
