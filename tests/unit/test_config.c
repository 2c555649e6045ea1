/*
 * test_config.c: every config field, valid and invalid; environment
 * overrides; warnings; and that the token never reaches an error or a log.
 */
#include "../check.h"
#include "config.h"
#include "config_text.h"
#include "log.h"

#include <dbot/dbot.h>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- fakes ------------------------------------------------------------ */

static char logbuf[16384];
static size_t loglen;

static void
capture(const char *line, size_t len, void *data)
{
    (void)data;
    if (loglen + len < sizeof logbuf) {
        memcpy(logbuf + loglen, line, len);
        loglen += len;
        logbuf[loglen] = '\0';
    }
}

static void
log_reset(void)
{
    loglen = 0;
    logbuf[0] = '\0';
}

static const char *env_names[8];
static const char *env_values[8];

static const char *
fake_env(const char *name)
{
    for (int i = 0; i < 8 && env_names[i]; i++)
        if (strcmp(env_names[i], name) == 0)
            return env_values[i];
    return NULL;
}

static void
env_set(const char *name, const char *value)
{
    int i = 0;

    while (i < 7 && env_names[i] && strcmp(env_names[i], name) != 0)
        i++;
    env_names[i] = name;
    env_values[i] = value;
}

static void
env_clear(void)
{
    memset(env_names, 0, sizeof env_names);
    memset(env_values, 0, sizeof env_values);
}

static int file_reads;

static char *
fake_read_file(const char *path, char *err, size_t errlen)
{
    file_reads++;
    if (strcmp(path, "/run/secrets/token") == 0)
        return strdup("  FILE.token.value-123\n\n");
    if (strcmp(path, "/run/secrets/bot") == 0)
        return strdup("Bot FILE.token.value-456\n");
    if (strcmp(path, "/run/credentials/dbot@x.service/discord-token") == 0)
        return strdup("CRED.token.value-789\n");
    if (strcmp(path, "/run/credentials/dbot@x.service/other") == 0)
        return strdup("CRED.other.value-000");
    snprintf(err, errlen, "No such file or directory");
    return NULL;
}

static char err[512];

/* Parse with the fake environment; the secrets list is reset first so every
 * case starts from a clean logger. */
static int
parse(struct dbot_config *cfg, const char *json)
{
    dbot__log_clear_secrets();
    log_reset();
    memset(err, 0, sizeof err);
    return dbot__config_parse(cfg, json, json ? strlen(json) : 0, fake_env,
                              fake_read_file, err, sizeof err);
}

static void
expect_ok(const char *json)
{
    struct dbot_config cfg;
    int rc = parse(&cfg, json);

    if (rc != 0)
        CHECK_FAIL_("expected %s to parse, got: %s", json, err);
    dbot__config_free(&cfg);
}

static void
expect_err(const char *json, const char *msg)
{
    struct dbot_config cfg;
    int rc = parse(&cfg, json);

    if (rc != DBOT_ECONFIG)
        CHECK_FAIL_("expected %s to fail with \"%s\"", json, msg);
    ASSERT_CONTAINS(err, msg);
    /* A failed parse leaves nothing allocated. */
    ASSERT_TRUE(cfg.token == NULL && cfg.api_url == NULL &&
                cfg.gateway_url == NULL && cfg.ca_file == NULL);
}

/* ---- tests ------------------------------------------------------------ */

TEST(defaults)
{
    struct dbot_config cfg;

    ASSERT_EQ(parse(&cfg, "{}"), 0);
    ASSERT_TRUE(cfg.token == NULL);
    ASSERT_EQ(cfg.intents, 1 | 512);
    ASSERT_EQ(cfg.log_level, DBOT_LOG_INFO);
    ASSERT_EQ(cfg.log_format, DBOT__LOG_AUTO);
    ASSERT_STREQ(cfg.api_url, "https://discord.com/api/v10");
    ASSERT_TRUE(cfg.gateway_url == NULL);
    ASSERT_EQ(cfg.shard_count, 0);
    ASSERT_EQ(cfg.workers, 0);
    ASSERT_EQ(cfg.queue_size, 1024);
    ASSERT_EQ(cfg.slow_handler_ms, 100);
    ASSERT_EQ(cfg.ack_deadline_ms, 2000);
    ASSERT_EQ(cfg.max_message_bytes, 64 * 1024 * 1024);
    ASSERT_EQ(cfg.compress, DBOT__COMPRESS_ZLIB);
    ASSERT_EQ(cfg.tls_verify, 1);
    ASSERT_TRUE(cfg.ca_file == NULL);
    ASSERT_EQ(cfg.reconnect_min_ms, 1000);
    ASSERT_EQ(cfg.reconnect_max_ms, 60000);
    ASSERT_EQ(cfg.rest_connect_timeout_ms, 10000);
    ASSERT_EQ(cfg.rest_timeout_ms, 30000);
    ASSERT_EQ(cfg.rest_global_per_sec, 50);
    ASSERT_EQ(cfg.large_threshold, 250);
    ASSERT_EQ(cfg.application_id, 0);
    ASSERT_EQ(cfg.dev_guild_id, 0);
    ASSERT_EQ(loglen, 0);
    dbot__config_free(&cfg);

    /* No text at all means environment only. */
    ASSERT_EQ(parse(&cfg, NULL), 0);
    ASSERT_STREQ(cfg.api_url, DBOT_DEFAULT_API_URL);
    ASSERT_EQ(dbot__config_validate_for_run(&cfg, err, sizeof err),
              DBOT_ECONFIG);
    ASSERT_STREQ(err, "no token: set \"token\" or \"token_file\" in the "
                      "config, or DISCORD_TOKEN");
    dbot__config_free(&cfg);
    dbot__config_free(&cfg); /* idempotent */
}

TEST(every_field_valid)
{
    struct dbot_config cfg;
    const char *json =
        "{\"token\":\"MTIz.abc.def\",\"intents\":[\"GUILDS\","
        "\"GUILD_MESSAGES\",\"MESSAGE_CONTENT\"],\"log_level\":\"debug\","
        "\"log_format\":\"journal\",\"api_url\":\"http://127.0.0.1:8080/api/"
        "v10/\",\"gateway_url\":\"ws://127.0.0.1:8081/\",\"shards\":4,"
        "\"workers\":8,\"queue_size\":500,\"slow_handler_ms\":250,"
        "\"ack_deadline_ms\":1500,\"max_message_bytes\":1048576,"
        "\"compress\":\"zstd-stream\",\"tls_verify\":false,\"ca_file\":\"/etc/"
        "ssl/test-ca.pem\","
        "\"reconnect_min_ms\":50,\"reconnect_max_ms\":5000,"
        "\"rest_connect_timeout_ms\":2000,\"rest_timeout_ms\":8000,"
        "\"rest_global_per_sec\":20,\"large_threshold\":50,"
        "\"application_id\":\"18446744073709551615\","
        "\"dev_guild_id\":\"41771983444115456\"}";

    ASSERT_EQ(parse(&cfg, json), 0);
    ASSERT_STREQ(cfg.token, "MTIz.abc.def");
    ASSERT_EQ(cfg.intents, 33281);
    ASSERT_EQ(cfg.log_level, DBOT_LOG_DEBUG);
    ASSERT_EQ(cfg.log_format, DBOT__LOG_JOURNAL);
    ASSERT_STREQ(cfg.api_url, "http://127.0.0.1:8080/api/v10");
    ASSERT_STREQ(cfg.gateway_url, "ws://127.0.0.1:8081");
    ASSERT_EQ(cfg.shard_count, 4);
    ASSERT_EQ(cfg.workers, 8);
    ASSERT_EQ(cfg.queue_size, 500);
    ASSERT_EQ(cfg.slow_handler_ms, 250);
    ASSERT_EQ(cfg.ack_deadline_ms, 1500);
    ASSERT_EQ(cfg.max_message_bytes, 1048576);
    ASSERT_EQ(cfg.compress, DBOT__COMPRESS_ZSTD);
    ASSERT_EQ(cfg.tls_verify, 0);
    ASSERT_STREQ(cfg.ca_file, "/etc/ssl/test-ca.pem");
    ASSERT_EQ(cfg.reconnect_min_ms, 50);
    ASSERT_EQ(cfg.reconnect_max_ms, 5000);
    ASSERT_EQ(cfg.rest_connect_timeout_ms, 2000);
    ASSERT_EQ(cfg.rest_timeout_ms, 8000);
    ASSERT_EQ(cfg.rest_global_per_sec, 20);
    ASSERT_EQ(cfg.large_threshold, 50);
    ASSERT_TRUE(cfg.application_id == UINT64_MAX);
    ASSERT_TRUE(cfg.dev_guild_id == 41771983444115456ULL);
    ASSERT_EQ(dbot__config_validate_for_run(&cfg, err, sizeof err), 0);
    ASSERT_EQ(loglen, 0);
    dbot__config_free(&cfg);

    ASSERT_EQ(parse(&cfg, "{\"log_format\":\"text\",\"log_level\":\"trace\","
                          "\"intents\":0,\"application_id\":123456789,"
                          "\"gateway_url\":null,\"ca_file\":null,"
                          "\"token\":null,\"token_file\":null,"
                          "\"dev_guild_id\":null,\"tls_verify\":true}"),
              0);
    ASSERT_EQ(cfg.log_format, DBOT__LOG_TEXT);
    ASSERT_EQ(cfg.log_level, DBOT_LOG_TRACE);
    ASSERT_EQ(cfg.intents, 0);
    ASSERT_EQ(cfg.application_id, 123456789);
    ASSERT_EQ(cfg.tls_verify, 1);
    dbot__config_free(&cfg);
}

TEST(range_edges)
{
    expect_ok("{\"shards\":0}");
    expect_ok("{\"shards\":65535}");
    expect_ok("{\"workers\":256}");
    expect_ok("{\"queue_size\":1}");
    expect_ok("{\"queue_size\":1000000}");
    expect_ok("{\"ack_deadline_ms\":0}");
    expect_ok("{\"ack_deadline_ms\":2999}");
    expect_ok("{\"max_message_bytes\":65536}");
    expect_ok("{\"compress\":\"zlib-stream\"}");
    expect_ok("{\"large_threshold\":250}");
    expect_ok("{\"reconnect_min_ms\":1,\"reconnect_max_ms\":1}");
    expect_ok("{\"queue_size\":10.0}"); /* integral double */
    expect_ok("{\"intents\":[]}");
    expect_ok("{\"api_url\":\"https://discord.com/api/v10\"}");
    expect_ok("{\"gateway_url\":\"wss://gateway.discord.gg\"}");
    expect_ok("{\"dev_guild_id\":\"0\"}");
}

TEST(every_field_invalid)
{
    static const struct {
        const char *json, *msg;
    } cases[] = {
        { "{\"compress\":\"zlib\"}",
          "compress: must be \"zlib-stream\" or \"zstd-stream\", got "
          "\"zlib\"" },
        { "{\"compress\":true}", "compress: must be a string" },
        { "{\"queue_size\":\"abc\"}",
          "queue_size: must be an integer between 1 and 1000000, got \"abc\"" },
        { "{\"queue_size\":0}", "queue_size: must be an integer between 1 and "
                                "1000000, got 0" },
        { "{\"queue_size\":1000001}", "queue_size: must be an integer" },
        { "{\"queue_size\":1.5}", "got 1.5" },
        { "{\"shards\":-1}", "shards: must be an integer between 0 and" },
        { "{\"shards\":true}", "shards: must be an integer between 0 and "
                               "65535, got true" },
        { "{\"workers\":257}",
          "workers: must be an integer between 0 and 256" },
        { "{\"workers\":null}", "workers: must be an integer between 0 and "
                                "256, got null" },
        { "{\"slow_handler_ms\":0}", "slow_handler_ms: must be an integer" },
        { "{\"slow_handler_ms\":[1]}", "slow_handler_ms: must be an integer "
                                       "between 1 and 600000, got an array" },
        { "{\"ack_deadline_ms\":3000}", "ack_deadline_ms: must be an integer "
                                        "between 0 and 2999, got 3000" },
        { "{\"ack_deadline_ms\":-1}", "ack_deadline_ms: must be an integer" },
        { "{\"max_message_bytes\":65535}", "max_message_bytes: must be an "
                                           "integer between 65536" },
        { "{\"max_message_bytes\":\"64M\"}", "max_message_bytes" },
        { "{\"tls_verify\":\"false\"}", "tls_verify: must be true or false, "
                                        "got \"false\"" },
        { "{\"tls_verify\":0}", "tls_verify: must be true or false, got 0" },
        { "{\"ca_file\":\"\"}", "ca_file: must be a path" },
        { "{\"ca_file\":5}", "ca_file: must be a string, got 5" },
        { "{\"reconnect_min_ms\":0}", "reconnect_min_ms: must be an integer" },
        { "{\"reconnect_max_ms\":{}}", "reconnect_max_ms: must be an integer "
                                       "between 1 and 3600000, got an object" },
        { "{\"reconnect_min_ms\":5000,\"reconnect_max_ms\":1000}",
          "reconnect_max_ms: must be at least reconnect_min_ms (5000), got "
          "1000" },
        { "{\"rest_connect_timeout_ms\":0}", "rest_connect_timeout_ms: must" },
        { "{\"rest_timeout_ms\":600001}", "rest_timeout_ms: must" },
        { "{\"rest_global_per_sec\":0}", "rest_global_per_sec: must" },
        { "{\"large_threshold\":49}", "large_threshold: must be an integer "
                                      "between 50 and 250, got 49" },
        { "{\"large_threshold\":251}", "large_threshold" },
        { "{\"log_level\":\"verbose\"}", "log_level: must be one of error, "
                                         "warn, info, debug, trace; got "
                                         "\"verbose\"" },
        { "{\"log_level\":2}", "log_level: must be a string, got 2" },
        { "{\"log_format\":\"json\"}", "log_format: must be one of auto, "
                                       "text, journal; got \"json\"" },
        { "{\"api_url\":\"discord.com/api\"}", "api_url: must start with "
                                               "http:// or https://, got "
                                               "\"discord.com/api\"" },
        { "{\"api_url\":\"https://\"}", "api_url: has no host name" },
        { "{\"api_url\":\"https://a b\"}", "api_url: must not contain spaces" },
        { "{\"api_url\":null}", "api_url: must be a string, got null" },
        { "{\"gateway_url\":\"https://gateway.discord.gg\"}",
          "gateway_url: must start with ws:// or wss://" },
        { "{\"gateway_url\":\"wss://gateway.discord.gg/?v=10\"}",
          "gateway_url: must not contain a query string" },
        { "{\"application_id\":\"12a\"}", "application_id: must be a "
                                          "snowflake" },
        { "{\"application_id\":\"0123\"}", "application_id: must be a "
                                           "snowflake" },
        { "{\"application_id\":\"-1\"}",
          "application_id: must be a snowflake" },
        { "{\"application_id\":\"\"}", "application_id: must be a snowflake" },
        { "{\"application_id\":\"18446744073709551616\"}",
          "application_id: must be a snowflake" },
        { "{\"dev_guild_id\":41771983444115456}",
          "dev_guild_id: must be a snowflake string" },
        { "{\"dev_guild_id\":1.5}",
          "dev_guild_id: must be a snowflake string" },
        { "{\"dev_guild_id\":true}", "dev_guild_id: must be a snowflake" },
        { "{\"intents\":[\"GUILDS\",\"GUILD_MESAGES\"]}",
          "intents[1]: unknown intent \"GUILD_MESAGES\"" },
        { "{\"intents\":[\"GUILDS\",7]}", "intents[1]: must be an intent name, "
                                          "got 7" },
        { "{\"intents\":131072}", "intents: 131072 has undocumented bits "
                                  "0x20000" },
        { "{\"intents\":-1}", "intents: must be an integer" },
        { "{\"intents\":\"GUILDS\"}", "intents: must be an array of intent "
                                      "names" },
        { "{\"token\":123}", "token: must be a string" },
        { "{\"token\":\"\"}", "token: the token is empty" },
        { "{\"token\":\"Bot \"}", "token: the token is empty" },
        { "{\"token_file\":7}", "token_file: must be a string, got 7" },
        { "{\"token_file\":\"\"}", "token_file: must be a path" },
        { "{\"token_file\":\"/nope\"}", "token_file: cannot read \"/nope\": No "
                                        "such file or directory" },
        { "{\"queue_size\":1,\"queue_size\":2}", "queue_size: appears more "
                                                 "than once" },
        { "[]", "must be a JSON object" },
        { "\"x\"", "must be a JSON object" },
        { "{\"a\":", "not valid JSON" },
        { "{} x", "unexpected text after the JSON object" },
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_err(cases[i].json, cases[i].msg);
}

TEST(intents_by_name_and_number)
{
    struct dbot_config cfg;
    uint64_t all = dbot__intents_valid_mask();

    ASSERT_EQ(dbot__intent_bit("GUILDS"), 1);
    ASSERT_EQ(dbot__intent_bit("MESSAGE_CONTENT"), 1 << 15);
    ASSERT_EQ(dbot__intent_bit("DIRECT_MESSAGE_POLLS"), 1 << 25);
    ASSERT_EQ(dbot__intent_bit("AUTO_MODERATION_EXECUTION"), 1 << 21);
    ASSERT_EQ(dbot__intent_bit("guilds"), 0);
    ASSERT_EQ(dbot__intent_bit(NULL), 0);
    /* Bits 17-19, 22, 23 are undocumented. */
    ASSERT_EQ(all & (7u << 17), 0);
    ASSERT_EQ(all & (3u << 22), 0);
    ASSERT_EQ(all, 0x331ffff);

    ASSERT_STREQ(dbot__intent_name(15), "MESSAGE_CONTENT");
    ASSERT_STREQ(dbot__intent_name(0), "GUILDS");
    ASSERT_TRUE(dbot__intent_name(17) == NULL);
    ASSERT_TRUE(dbot__intent_name(63) == NULL);

    ASSERT_EQ(parse(&cfg, "{\"intents\":33281}"), 0);
    ASSERT_EQ(cfg.intents, 33281);
    dbot__config_free(&cfg);
    ASSERT_EQ(parse(&cfg, "{\"intents\":53608447}"), 0); /* all documented */
    ASSERT_EQ(cfg.intents, all);
    dbot__config_free(&cfg);
    expect_err("{\"intents\":4194304}", "undocumented bits 0x400000");
    expect_err("{\"intents\":1.5}", "intents: must be an integer");
}

TEST(unknown_field_is_a_warning)
{
    struct dbot_config cfg;

    ASSERT_EQ(parse(&cfg, "{\"tokne\":\"x\",\"colour\":1}"), 0);
    ASSERT_CONTAINS(logbuf, " W config: unknown field \"tokne\" ignored "
                            "(did you mean \"token\"?)\n");
    ASSERT_CONTAINS(logbuf, " W config: unknown field \"colour\" ignored\n");
    dbot__config_free(&cfg);

    /* Case mistakes get a hint too. */
    ASSERT_EQ(parse(&cfg, "{\"Queue_Size\":5}"), 0);
    ASSERT_CONTAINS(logbuf, "unknown field \"Queue_Size\" ignored (did you "
                            "mean \"queue_size\"?)");
    ASSERT_EQ(cfg.queue_size, 1024);
    dbot__config_free(&cfg);
}

TEST(message_text_helpers)
{
    const char *sec[2] = { NULL, "Bot  abcd.efgh " };
    char q[64], e[32];

    dbot__cfgtext_quote(q, sizeof q, "a\"b\\c\n\x80", NULL, 0);
    ASSERT_STREQ(q, "\"a\\\"b\\\\c\\x0a\\x80\"");
    dbot__cfgtext_quote(q, sizeof q,
                        "0123456789012345678901234567890123456789XYZ", NULL, 0);
    ASSERT_STREQ(q, "\"0123456789012345678901234567890123456789...\"");
    dbot__cfgtext_quote(q, sizeof q, "x abcd.efgh y", sec, 2);
    ASSERT_STREQ(q, "\"[REDACTED]\"");
    dbot__cfgtext_quote(q, 8, "abc", NULL, 0); /* too small: empty */
    ASSERT_STREQ(q, "");
    ASSERT_TRUE(dbot__cfgtext_has_token("..abcd.efgh..", sec[1]));
    ASSERT_TRUE(!dbot__cfgtext_has_token("abc", "abc")); /* < 4 bytes */

    snprintf(e, sizeof e, "a SECRET b SECRET c");
    dbot__cfgtext_scrub(e, sizeof e, "SECRET");
    ASSERT_STREQ(e, "a [REDACTED] b [REDACTED] c");
    snprintf(e, sizeof e, "0123456789012345678 SECRET");
    dbot__cfgtext_scrub(e, sizeof e, "SECRET");
    ASSERT_NOT_CONTAINS(e, "SECRET");
    ASSERT_LE(strlen(e), sizeof e - 1);

    ASSERT_EQ(dbot__cfgtext_distance("tokne", "token"), 2);
    ASSERT_EQ(dbot__cfgtext_distance("Queue_Size", "queue_size"), 0);
}

static const char *const secret =
    "MTA5ODc2NTQzMjE.Gx1y2z.SeCrEt_PaRt-0123456789";

TEST(token_prefix_is_stripped_with_warning)
{
    struct dbot_config cfg;
    char json[256];

    snprintf(json, sizeof json, "{\"token\":\"Bot %s\"}", secret);
    ASSERT_EQ(parse(&cfg, json), 0);
    ASSERT_STREQ(cfg.token, secret);
    ASSERT_CONTAINS(logbuf, "W config: token: the token starts with \"Bot \"");
    ASSERT_NOT_CONTAINS(logbuf, secret);
    dbot__config_free(&cfg);

    snprintf(json, sizeof json, "{\"token\":\"  %s\\n\"}", secret);
    ASSERT_EQ(parse(&cfg, json), 0);
    ASSERT_STREQ(cfg.token, secret);
    dbot__config_free(&cfg);
}

/* Copy tmpl to dst with every '@' replaced by `with`. */
static void
subst(char *dst, size_t cap, const char *tmpl, const char *with)
{
    size_t n = 0, wl = strlen(with);

    for (; *tmpl; tmpl++) {
        if (*tmpl == '@') {
            ASSERT_TRUE(n + wl < cap);
            memcpy(dst + n, with, wl);
            n += wl;
        } else {
            ASSERT_TRUE(n + 1 < cap);
            dst[n++] = *tmpl;
        }
    }
    dst[n] = '\0';
}

/* Every way a token can meet an error or a log line. */
TEST(token_never_in_errors_or_logs)
{
    static const char *const tmpl[] = {
        "{\"token\":\"@\",\"api_url\":\"@\"}",
        "{\"token\":\"@\",\"gateway_url\":\"@\"}",
        "{\"token\":\"@\",\"log_level\":\"@\"}",
        "{\"token\":\"@\",\"queue_size\":\"@\"}",
        "{\"token\":\"@\",\"intents\":[\"@\"]}",
        "{\"token\":\"@\",\"application_id\":\"@\"}",
        "{\"token\":\"@\",\"@\":1}",
        "{\"tokne\":\"@\",\"@\":1,\"token\":\"x\\n y\"}",
        "{\"token\":\"@\",\"token\":\"@\"}",
        "{\"token\":\"@\",\"token_file\":\"@\"}",
        "{\"token\":\"Bot @\",\"ca_file\":\"@\",\"shards\":\"x\"}",
        "{\"token\":\"@\",\"dev_guild_id\":\"@\"}",
        "{\"token\":\"@ x\",\"x\":\"@\"}",
    };
    char json[512];
    struct dbot_config cfg;

    for (size_t i = 0; i < sizeof tmpl / sizeof tmpl[0]; i++) {
        subst(json, sizeof json, tmpl[i], secret);
        (void)parse(&cfg, json);
        ASSERT_NOT_CONTAINS(err, secret);
        ASSERT_NOT_CONTAINS(err, "SeCrEt_PaRt");
        ASSERT_NOT_CONTAINS(logbuf, secret);
        dbot__config_free(&cfg);
    }
    /* The scrubbed message still says what is wrong. */
    subst(json, sizeof json, tmpl[0], secret);
    ASSERT_EQ(parse(&cfg, json), DBOT_ECONFIG);
    ASSERT_CONTAINS(err, "api_url: must start with http:// or https://");

    /* The environment token too. */
    env_set("DISCORD_TOKEN", secret);
    snprintf(json, sizeof json, "{\"%s\":1,\"api_url\":\"%s\"}", secret,
             secret);
    ASSERT_EQ(parse(&cfg, json), DBOT_ECONFIG);
    ASSERT_NOT_CONTAINS(err, secret);
    ASSERT_NOT_CONTAINS(logbuf, secret);
    env_clear();

    /* A token that looks like the redaction marker cannot loop the
     * scrubber. */
    ASSERT_EQ(parse(&cfg, "{\"token\":\"[REDACTED]\",\"api_url\":"
                          "\"x[REDACTED]y\"}"),
              DBOT_ECONFIG);
    ASSERT_CONTAINS(err, "api_url: must start with");

    /* Invalid characters are reported by position, not by value. */
    ASSERT_EQ(parse(&cfg, "{\"token\":\"abc\\u0001def\"}"), DBOT_ECONFIG);
    ASSERT_STREQ(err, "token: the token contains spaces, control or "
                      "non-ASCII characters (byte 4); copy it again from the "
                      "Developer Portal");
    dbot__log_clear_secrets();
}

TEST(token_file)
{
    struct dbot_config cfg;

    file_reads = 0;
    ASSERT_EQ(parse(&cfg, "{\"token_file\":\"/run/secrets/token\"}"), 0);
    ASSERT_STREQ(cfg.token, "FILE.token.value-123");
    ASSERT_EQ(file_reads, 1);
    dbot__config_free(&cfg);

    ASSERT_EQ(parse(&cfg, "{\"token_file\":\"/run/secrets/bot\"}"), 0);
    ASSERT_STREQ(cfg.token, "FILE.token.value-456");
    ASSERT_CONTAINS(logbuf, "token_file: the token starts with \"Bot \"");
    ASSERT_NOT_CONTAINS(logbuf, "FILE.token.value-456");
    dbot__config_free(&cfg);

    expect_err("{\"token\":\"abcd\",\"token_file\":\"/run/secrets/token\"}",
               "token: both \"token\" and \"token_file\" are set; use one");
    expect_err("{\"token_file\":\"/run/secrets/token\",\"token\":\"abcd\"}",
               "token: both \"token\" and \"token_file\" are set; use one");

    /* Without a read_file function, token_file is refused. */
    dbot__log_clear_secrets();
    ASSERT_EQ(dbot__config_parse(&cfg, "{\"token_file\":\"/x\"}", 19, fake_env,
                                 NULL, err, sizeof err),
              DBOT_ECONFIG);
    ASSERT_CONTAINS(err, "token_file: not allowed here");
}

TEST(environment_overrides)
{
    struct dbot_config cfg;

    env_set("DISCORD_TOKEN", "ENV.token.abc");
    ASSERT_EQ(parse(&cfg, "{\"token\":\"FILE.token\"}"), 0);
    ASSERT_STREQ(cfg.token, "ENV.token.abc");
    dbot__config_free(&cfg);

    /* DISCORD_TOKEN wins over token_file, which is then not even read. */
    file_reads = 0;
    ASSERT_EQ(parse(&cfg, "{\"token_file\":\"/nope\"}"), 0);
    ASSERT_STREQ(cfg.token, "ENV.token.abc");
    ASSERT_EQ(file_reads, 0);
    dbot__config_free(&cfg);

    env_set("DISCORD_TOKEN", "Bot ENV.token.abc");
    ASSERT_EQ(parse(&cfg, "{}"), 0);
    ASSERT_STREQ(cfg.token, "ENV.token.abc");
    ASSERT_CONTAINS(logbuf, "DISCORD_TOKEN: the token starts with \"Bot \"");
    dbot__config_free(&cfg);
    env_set("DISCORD_TOKEN", "");
    ASSERT_EQ(parse(&cfg, "{}"), 0); /* empty means unset */
    ASSERT_TRUE(cfg.token == NULL);
    dbot__config_free(&cfg);

    env_set("DBOT_API_URL", "http://127.0.0.1:9999/api/v10///");
    ASSERT_EQ(parse(&cfg, "{\"gateway_url\":\"wss://g.example\","
                          "\"api_url\":\"https://x.example/api\"}"),
              0);
    ASSERT_STREQ(cfg.api_url, "http://127.0.0.1:9999/api/v10");
    ASSERT_TRUE(cfg.gateway_url == NULL);
    dbot__config_free(&cfg);
    env_set("DBOT_API_URL", "ftp://x");
    expect_err("{}", "DBOT_API_URL: must start with http:// or https://, got "
                     "\"ftp://x\"");
    env_set("DBOT_API_URL", "");

    env_set("DBOT_LOG_LEVEL", "warn");
    ASSERT_EQ(parse(&cfg, "{\"log_level\":\"debug\"}"), 0);
    ASSERT_EQ(cfg.log_level, DBOT_LOG_WARN);
    dbot__config_free(&cfg);
    env_set("DBOT_LOG_LEVEL", "loud");
    expect_err("{}", "DBOT_LOG_LEVEL: must be one of error, warn, info, "
                     "debug, trace; got \"loud\"");
    env_clear();

    /* A NULL environment function means no environment. */
    dbot__log_clear_secrets();
    ASSERT_EQ(dbot__config_parse(&cfg, "{}", 2, NULL, NULL, err, sizeof err),
              0);
    ASSERT_TRUE(cfg.token == NULL);
    dbot__config_free(&cfg);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");

    ASSERT_TRUE(f != NULL);
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

TEST(load_from_files)
{
    char dir[] = "/tmp/dbot-test-config-XXXXXX";
    char cfgpath[128], tokpath[128], json[512];
    struct dbot_config cfg;

    ASSERT_TRUE(mkdtemp(dir) != NULL);
    snprintf(cfgpath, sizeof cfgpath, "%s/config.json", dir);
    snprintf(tokpath, sizeof tokpath, "%s/token", dir);
    write_file(tokpath, "REAL.file.token-99\n", 0600);
    snprintf(json, sizeof json, "{\"token_file\":\"%s\",\"queue_size\":77}",
             tokpath);
    write_file(cfgpath, json, 0600);
    unsetenv("DISCORD_TOKEN");
    unsetenv("DBOT_API_URL");
    unsetenv("DBOT_LOG_LEVEL");
    dbot__log_clear_secrets();

    log_reset();
    ASSERT_EQ(dbot__config_load(&cfg, cfgpath), 0);
    ASSERT_STREQ(cfg.token, "REAL.file.token-99");
    ASSERT_EQ(cfg.queue_size, 77);
    ASSERT_EQ(loglen, 0);
    dbot__config_free(&cfg);

    /* $DBOT_CONFIG names the file when no path is given. */
    setenv("DBOT_CONFIG", cfgpath, 1);
    ASSERT_EQ(dbot__config_load(&cfg, NULL), 0);
    ASSERT_EQ(cfg.queue_size, 77);
    dbot__config_free(&cfg);
    unsetenv("DBOT_CONFIG");

    /* A token file others can read gets a warning (without the token). */
    chmod(tokpath, 0644);
    log_reset();
    ASSERT_EQ(dbot__config_load(&cfg, cfgpath), 0);
    ASSERT_CONTAINS(logbuf, "is readable by other users; chmod 600 it");
    ASSERT_NOT_CONTAINS(logbuf, "REAL.file.token-99");
    dbot__config_free(&cfg);

    /* Errors are logged with the file name and the field. */
    write_file(cfgpath, "{\"workers\":1000}", 0600);
    log_reset();
    ASSERT_EQ(dbot__config_load(&cfg, cfgpath), DBOT_ECONFIG);
    ASSERT_CONTAINS(logbuf, "E config: ");
    ASSERT_CONTAINS(logbuf, "config.json: workers: must be an integer "
                            "between 0 and 256, got 1000");

    log_reset();
    snprintf(json, sizeof json, "%s/missing.json", dir);
    ASSERT_EQ(dbot__config_load(&cfg, json), DBOT_ECONFIG);
    ASSERT_CONTAINS(logbuf, "missing.json: No such file or directory");

    write_file(cfgpath, "{\"ca_file\":\"/nonexistent/ca.pem\"}", 0600);
    log_reset();
    ASSERT_EQ(dbot__config_load(&cfg, cfgpath), DBOT_ECONFIG);
    ASSERT_CONTAINS(logbuf, "ca_file: cannot read \"/nonexistent/ca.pem\"");

    unlink(cfgpath);
    unlink(tokpath);
    rmdir(dir);
    dbot__log_clear_secrets();
}

/* A token pasted into the wrong field is not the token (nothing registered
 * it), so only its shape can keep it out of the message: no part of it may
 * be echoed, where the first 40 bytes (or all of it) used to be. */
TEST(a_pasted_token_is_never_echoed)
{
    static const char pasted[] =
        "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GhIjKl.Zx9Qabcdefghijklmnopqrstuvw0123";
    static const char *const tmpl[] = {
        "{\"token_credential\":\"@/x\"}", "{\"token_file\":\"@\"}",
        "{\"application_id\":\"@\"}",     "{\"dev_guild_id\":\"@\"}",
        "{\"log_level\":\"@\"}",          "{\"log_format\":\"@\"}",
        "{\"gateway_url\":\"@\"}",        "{\"api_url\":\"@\"}",
        "{\"http_listen\":\"@\"}",        "{\"stop_mode\":\"@\"}",
        "{\"intents\":[\"@\"]}",          "{\"@\":1,\"workers\":-1}",
    };
    static const char *const parts[] = { "MTIzNDU2", "GhIjKl", "Zx9Qabcd" };
    char dir[] = "/tmp/dbot-test-pasted-XXXXXX";
    char json[512], cfgpath[128];
    struct dbot_config cfg;

    for (size_t i = 0; i < sizeof tmpl / sizeof tmpl[0]; i++) {
        subst(json, sizeof json, tmpl[i], pasted);
        ASSERT_EQ(parse(&cfg, json), DBOT_ECONFIG);
        for (size_t k = 0; k < 3; k++) {
            ASSERT_NOT_CONTAINS(err, parts[k]);
            ASSERT_NOT_CONTAINS(logbuf, parts[k]);
        }
        /* The unknown key is a warning; the rest are the error. */
        ASSERT_CONTAINS(i == 11 ? logbuf : err,
                        "-byte value (not shown: it may be a secret)");
    }
    /* The credential name, when the unit did not provide it. */
    env_set("CREDENTIALS_DIRECTORY", "/run/credentials/dbot@x.service");
    subst(json, sizeof json, "{\"token_credential\":\"@\"}", pasted);
    ASSERT_EQ(parse(&cfg, json), DBOT_ECONFIG);
    ASSERT_NOT_CONTAINS(err, "MTIzNDU2");
    env_clear();
    ASSERT_EQ(parse(&cfg, "{\"token_credential\":\"no\"}"), DBOT_ECONFIG);
    ASSERT_CONTAINS(err, "token_credential: $CREDENTIALS_DIRECTORY is not set");
    ASSERT_CONTAINS(err, "\"no\"");

    /* ca_file is checked when loading. */
    ASSERT_TRUE(mkdtemp(dir) != NULL);
    snprintf(cfgpath, sizeof cfgpath, "%s/config.json", dir);
    subst(json, sizeof json, "{\"ca_file\":\"@\"}", pasted);
    write_file(cfgpath, json, 0600);
    log_reset();
    ASSERT_EQ(dbot__config_load(&cfg, cfgpath), DBOT_ECONFIG);
    ASSERT_CONTAINS(logbuf, "ca_file: cannot read a 65-byte value");
    for (size_t k = 0; k < 3; k++)
        ASSERT_NOT_CONTAINS(logbuf, parts[k]);
    unlink(cfgpath);
    rmdir(dir);

    /* Ordinary values are still quoted. */
    expect_err("{\"log_level\":\"verbose\"}", "got \"verbose\"");
    expect_err("{\"gateway_url\":\"wss://gateway-us-east1-b.discord.gg?v=9\"}",
               "got \"wss://gateway-us-east1-b.discord.gg?v=9\"");
    expect_err("{\"application_id\":\"12345678901234567x\"}",
               "got \"12345678901234567x\"");
    dbot__log_clear_secrets();
}

static void
on_alarm(int sig)
{
    static const char msg[] = "test_config: a file read blocked (FIFO?)\n";

    (void)sig;
    (void)!write(2, msg, sizeof msg - 1);
    _exit(1);
}

/* A FIFO where a file should be used to block dbot_new (and a reload on
 * the loop) forever; a NUL byte used to end the config early and \u0000 a
 * value. Each must fail at once with a reason. The alarm bounds the test
 * on code that blocks. */
TEST(files_that_block_or_lie_are_refused)
{
    char dir[] = "/tmp/dbot-test-files-XXXXXX";
    char cfgpath[128], fifo[128], tokpath[128], json[512];
    struct dbot_config cfg;
    dbot *bot = NULL;
    FILE *f;

    signal(SIGALRM, on_alarm);
    alarm(30);
    ASSERT_TRUE(mkdtemp(dir) != NULL);
    snprintf(cfgpath, sizeof cfgpath, "%s/config.json", dir);
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    snprintf(tokpath, sizeof tokpath, "%s/token", dir);
    ASSERT_EQ(mkfifo(fifo, 0600), 0);
    unsetenv("DISCORD_TOKEN");
    unsetenv("DBOT_API_URL");
    unsetenv("DBOT_LOG_LEVEL");
    unsetenv("CREDENTIALS_DIRECTORY");

    /* The config file itself. */
    log_reset();
    ASSERT_EQ(dbot_new(&bot, fifo), DBOT_ECONFIG);
    ASSERT_TRUE(bot == NULL);
    ASSERT_CONTAINS(logbuf, "fifo: not a regular file (a FIFO)");

    /* token_file, the credential and ca_file. */
    snprintf(json, sizeof json, "{\"token_file\":\"%s\"}", fifo);
    write_file(cfgpath, json, 0600);
    log_reset();
    ASSERT_EQ(dbot__config_load(&cfg, cfgpath), DBOT_ECONFIG);
    ASSERT_CONTAINS(logbuf, "token_file: cannot read");
    ASSERT_CONTAINS(logbuf, "not a regular file (a FIFO)");

    setenv("CREDENTIALS_DIRECTORY", dir, 1);
    write_file(cfgpath, "{\"token_credential\":\"fifo\"}", 0600);
    log_reset();
    ASSERT_EQ(dbot__config_load(&cfg, cfgpath), DBOT_ECONFIG);
    ASSERT_CONTAINS(logbuf, "cannot read credential \"fifo\": not a regular "
                            "file (a FIFO)");
    unsetenv("CREDENTIALS_DIRECTORY");

    snprintf(json, sizeof json, "{\"token\":\"abcd.efgh\",\"ca_file\":\"%s\"}",
             fifo);
    write_file(cfgpath, json, 0600);
    log_reset();
    ASSERT_EQ(dbot__config_load(&cfg, cfgpath), DBOT_ECONFIG);
    ASSERT_CONTAINS(logbuf, "ca_file: cannot read");
    ASSERT_CONTAINS(logbuf, "not a regular file (a FIFO)");

    /* Text after a NUL byte is not silently ignored. */
    f = fopen(cfgpath, "w");
    ASSERT_TRUE(f != NULL);
    fwrite("{\"queue_size\":5}\0{\"workers\":1000}", 1, 34, f);
    fclose(f);
    log_reset();
    ASSERT_EQ(dbot__config_load(&cfg, cfgpath), DBOT_ECONFIG);
    ASSERT_CONTAINS(logbuf, "contains a NUL byte (byte 17)");

    /* Nor is a value cut at \u0000, nor a token file at a NUL. */
    write_file(cfgpath, "{\"token\":\"abcd\\u0000efgh\"}", 0600);
    log_reset();
    ASSERT_EQ(dbot__config_load(&cfg, cfgpath), DBOT_ECONFIG);
    ASSERT_CONTAINS(logbuf, "\"\\u0000\" in a string (byte 15)");
    write_file(cfgpath, "{\"log_level\":\"debug\\\\u0000\"}", 0600);
    ASSERT_EQ(dbot__config_load(&cfg, cfgpath), DBOT_ECONFIG);
    ASSERT_CONTAINS(logbuf, "log_level: must be one of");

    f = fopen(tokpath, "w");
    ASSERT_TRUE(f != NULL);
    fwrite("tokn1\0tokn2", 1, 11, f);
    fclose(f);
    chmod(tokpath, 0600);
    snprintf(json, sizeof json, "{\"token_file\":\"%s\"}", tokpath);
    write_file(cfgpath, json, 0600);
    log_reset();
    ASSERT_EQ(dbot__config_load(&cfg, cfgpath), DBOT_ECONFIG);
    ASSERT_CONTAINS(logbuf, "contains a NUL byte (byte 6)");

    alarm(0);
    unlink(cfgpath);
    unlink(tokpath);
    unlink(fifo);
    rmdir(dir);
    dbot__log_clear_secrets();
}

TEST(service_fields)
{
    struct dbot_config cfg;

    env_clear();
    ASSERT_EQ(parse(&cfg, "{}"), 0);
    ASSERT_TRUE(cfg.state_file == NULL);
    ASSERT_EQ(cfg.stop_mode, DBOT__STOP_RESUME);
    ASSERT_EQ(cfg.shutdown_grace_ms, 10000);
    ASSERT_EQ(cfg.resume_window_s, 180);
    ASSERT_TRUE(cfg.http_listen == NULL);
    ASSERT_EQ(cfg.http_port, -1);
    ASSERT_EQ(cfg.http_max_connections, 16);
    ASSERT_EQ(cfg.http_max_per_ip, 4);
    ASSERT_EQ(cfg.http_timeout_ms, 5000);
    dbot__config_free(&cfg);

    ASSERT_EQ(parse(&cfg, "{\"http_max_connections\":2,"
                          "\"http_max_per_ip\":2,\"http_timeout_ms\":100}"),
              0);
    ASSERT_EQ(cfg.http_max_connections, 2);
    ASSERT_EQ(cfg.http_max_per_ip, 2);
    ASSERT_EQ(cfg.http_timeout_ms, 100);
    dbot__config_free(&cfg);
    expect_err("{\"http_max_connections\":0}",
               "http_max_connections: must be an integer between 1 and 4096");
    expect_err("{\"http_max_per_ip\":4097}",
               "http_max_per_ip: must be an integer between 1 and 4096");
    expect_err("{\"http_timeout_ms\":99}",
               "http_timeout_ms: must be an integer between 100 and 600000");

    ASSERT_EQ(parse(&cfg, "{\"state_file\":\"/var/lib/bot/s.json\","
                          "\"stop_mode\":\"offline\","
                          "\"shutdown_grace_ms\":0,\"resume_window_s\":900,"
                          "\"http_listen\":\"127.0.0.1:9464\"}"),
              0);
    ASSERT_STREQ(cfg.state_file, "/var/lib/bot/s.json");
    ASSERT_EQ(cfg.stop_mode, DBOT__STOP_OFFLINE);
    ASSERT_EQ(cfg.shutdown_grace_ms, 0);
    ASSERT_EQ(cfg.resume_window_s, 900);
    ASSERT_STREQ(cfg.http_listen, "127.0.0.1:9464");
    ASSERT_STREQ(cfg.http_host, "127.0.0.1");
    ASSERT_EQ(cfg.http_port, 9464);
    dbot__config_free(&cfg);

    ASSERT_EQ(parse(&cfg, "{\"http_listen\":\"[::1]:0\"}"), 0);
    ASSERT_STREQ(cfg.http_host, "::1");
    ASSERT_EQ(cfg.http_port, 0);
    dbot__config_free(&cfg);
    ASSERT_EQ(parse(&cfg, "{\"http_listen\":\"localhost:65535\","
                          "\"stop_mode\":\"resume\",\"state_file\":null}"),
              0);
    ASSERT_EQ(cfg.http_port, 65535);
    ASSERT_STREQ(cfg.http_host, "127.0.0.1");
    ASSERT_EQ(cfg.stop_mode, DBOT__STOP_RESUME);
    dbot__config_free(&cfg);
    ASSERT_EQ(parse(&cfg, "{\"http_listen\":null}"), 0);
    ASSERT_EQ(cfg.http_port, -1);
    dbot__config_free(&cfg);

    expect_err("{\"stop_mode\":\"pause\"}",
               "stop_mode: must be \"resume\" (restart without a gap) or "
               "\"offline\" (end the session), got \"pause\"");
    expect_err("{\"stop_mode\":1}", "stop_mode: must be a string, got 1");
    expect_err("{\"shutdown_grace_ms\":-1}",
               "shutdown_grace_ms: must be an integer between 0 and 600000");
    expect_err("{\"resume_window_s\":901}",
               "resume_window_s: must be an integer between 0 and 900");
    expect_err("{\"state_file\":\"\"}", "state_file: must be a path");
    expect_err("{\"state_file\":3}", "state_file: must be a string");
    expect_err("{\"http_listen\":\"9464\"}",
               "http_listen: must be \"ADDRESS:PORT\" like "
               "\"127.0.0.1:9464\", got \"9464\"");
    expect_err("{\"http_listen\":\":9464\"}", "http_listen: must be");
    expect_err("{\"http_listen\":\"127.0.0.1:\"}", "http_listen: must be");
    expect_err("{\"http_listen\":\"127.0.0.1:65536\"}",
               "http_listen: port must be 0..65535");
    expect_err("{\"http_listen\":\"127.0.0.1:94a\"}", "http_listen: bad port");
    expect_err("{\"http_listen\":\"127.0.0.1:123456\"}",
               "http_listen: must be");
    expect_err("{\"http_listen\":\"a b:80\"}", "http_listen: bad address");
    expect_err("{\"http_listen\":\"example.com:80\"}",
               "http_listen: bad address in \"example.com:80\": use an IP "
               "address like 127.0.0.1 or [::1]");
    expect_err("{\"http_listen\":\"[::1:80\"}", "http_listen: bad address");
    expect_err("{\"http_listen\":\"300.1.1.1:80\"}",
               "http_listen: bad address");
    expect_err("{\"token_credential\":\"../x\"}",
               "token_credential: must be a credential name");
    expect_err("{\"token_credential\":\"\"}",
               "token_credential: must be a credential name");
}

/* Interactions over HTTP: the listener, its path, the public key and
 * gateway false, from the file and from the environment; a bot without a
 * gateway needs a listener, and a listener needs the key. */
TEST(interaction_endpoint_fields)
{
    static const char key[] =
        "8E3E58A4F1F0E1B7A94D0B1FCB5B76C6D2DD2D88B67A6B1F06A4E3A0E6C5D4B1";
    struct dbot_config cfg;
    char json[512], why[256];

    env_clear();
    ASSERT_EQ(parse(&cfg, "{}"), 0);
    ASSERT_EQ(cfg.gateway, 1);
    ASSERT_EQ(cfg.interactions_port, -1);
    ASSERT_STREQ(cfg.interactions_path, "/interactions");
    ASSERT_TRUE(cfg.public_key == NULL);
    ASSERT_EQ(cfg.interactions_max_body, 256 * 1024);
    ASSERT_EQ(cfg.interactions_freshness_s, 30);
    ASSERT_EQ(cfg.interactions_timeout_ms, 10000);
    dbot__config_free(&cfg);

    snprintf(json, sizeof json,
             "{\"token\":\"a.b.c\",\"gateway\":false,"
             "\"interactions_listen\":\"[::1]:8080\","
             "\"interactions_path\":\"/discord/ix\",\"public_key\":\"%s\","
             "\"interactions_max_body\":1024,"
             "\"interactions_freshness_s\":900}",
             key);
    ASSERT_EQ(parse(&cfg, json), 0);
    ASSERT_EQ(cfg.gateway, 0);
    ASSERT_STREQ(cfg.interactions_host, "::1");
    ASSERT_EQ(cfg.interactions_port, 8080);
    ASSERT_STREQ(cfg.interactions_path, "/discord/ix");
    ASSERT_STREQ(cfg.public_key, key);
    ASSERT_EQ(cfg.interactions_max_body, 1024);
    ASSERT_EQ(cfg.interactions_freshness_s, 900);
    ASSERT_EQ(dbot__config_validate_for_run(&cfg, why, sizeof why), 0);
    dbot__config_free(&cfg);

    /* The environment wins. */
    env_set("DBOT_INTERACTIONS_LISTEN", "127.0.0.1:9000");
    env_set("DISCORD_PUBLIC_KEY", key);
    env_set("DBOT_GATEWAY", "0");
    ASSERT_EQ(parse(&cfg, "{\"interactions_listen\":\"127.0.0.1:1\"}"), 0);
    ASSERT_EQ(cfg.interactions_port, 9000);
    ASSERT_STREQ(cfg.public_key, key);
    ASSERT_EQ(cfg.gateway, 0);
    dbot__config_free(&cfg);
    env_set("DBOT_GATEWAY", "maybe");
    expect_err("{}", "DBOT_GATEWAY: must be 0 or 1, got \"maybe\"");
    env_clear();

    ASSERT_EQ(parse(&cfg, "{\"token\":\"a.b.c\",\"gateway\":false}"), 0);
    ASSERT_EQ(dbot__config_validate_for_run(&cfg, why, sizeof why),
              DBOT_ECONFIG);
    ASSERT_CONTAINS(why, "gateway is false but interactions_listen");
    dbot__config_free(&cfg);
    ASSERT_EQ(parse(&cfg, "{\"token\":\"a.b.c\","
                          "\"interactions_listen\":\"127.0.0.1:0\"}"),
              0);
    ASSERT_EQ(dbot__config_validate_for_run(&cfg, why, sizeof why),
              DBOT_ECONFIG);
    ASSERT_CONTAINS(why, "interactions_listen needs public_key");
    dbot__config_free(&cfg);

    expect_err("{\"public_key\":\"abc\"}",
               "public_key: must be the application's Public Key");
    expect_err(
        "{\"public_key\":\"zz3E58A4F1F0E1B7A94D0B1FCB5B76C6D2DD2D88B67A6B1"
        "F06A4E3A0E6C5D4B1\"}",
        "public_key: must be");
    expect_err("{\"interactions_path\":\"interactions\"}",
               "interactions_path: must be a path like \"/interactions\"");
    expect_err("{\"interactions_path\":\"/a?b\"}", "interactions_path:");
    expect_err("{\"interactions_listen\":\"example.com:80\"}",
               "interactions_listen: bad address");
    expect_err("{\"gateway\":0}", "gateway: must be true or false, got 0");
    expect_err("{\"interactions_max_body\":100}",
               "interactions_max_body: must be an integer between 1024");
    expect_err("{\"interactions_timeout_ms\":3499}",
               "interactions_timeout_ms: must be an integer between 3500");
    expect_err("{\"interactions_freshness_s\":0}",
               "interactions_freshness_s: must be an integer between 1 and "
               "900");
}

TEST(token_from_systemd_credential)
{
    struct dbot_config cfg;

    /* LoadCredential=discord-token:... wins over the config's token. */
    env_clear();
    env_set("CREDENTIALS_DIRECTORY", "/run/credentials/dbot@x.service");
    ASSERT_EQ(parse(&cfg, "{\"token\":\"CONFIG.token.value-1\"}"), 0);
    ASSERT_STREQ(cfg.token, "CRED.token.value-789");
    dbot__config_free(&cfg);
    /* ... and is enough on its own. */
    ASSERT_EQ(parse(&cfg, "{}"), 0);
    ASSERT_STREQ(cfg.token, "CRED.token.value-789");
    dbot__config_free(&cfg);
    /* DISCORD_TOKEN still wins over everything. */
    env_set("DISCORD_TOKEN", "ENV.token.value-2");
    ASSERT_EQ(parse(&cfg, "{}"), 0);
    ASSERT_STREQ(cfg.token, "ENV.token.value-2");
    dbot__config_free(&cfg);
    /* Another credential name. */
    env_clear();
    env_set("CREDENTIALS_DIRECTORY", "/run/credentials/dbot@x.service");
    ASSERT_EQ(parse(&cfg, "{\"token_credential\":\"other\"}"), 0);
    ASSERT_STREQ(cfg.token, "CRED.other.value-000");
    dbot__config_free(&cfg);
    /* A named credential must exist; the default one may be absent. */
    expect_err("{\"token_credential\":\"missing\"}",
               "token_credential: cannot read credential \"missing\": No "
               "such file or directory");
    env_set("CREDENTIALS_DIRECTORY", "/run/credentials/none");
    ASSERT_EQ(parse(&cfg, "{\"token\":\"CONFIG.token.value-1\"}"), 0);
    ASSERT_STREQ(cfg.token, "CONFIG.token.value-1");
    dbot__config_free(&cfg);
    env_clear();
    expect_err("{\"token_credential\":\"other\"}",
               "token_credential: $CREDENTIALS_DIRECTORY is not set");
    /* Without file access (dbot_new_from_json) a named one is refused. */
    env_set("CREDENTIALS_DIRECTORY", "/run/credentials/dbot@x.service");
    dbot__log_clear_secrets();
    {
        static const char j[] = "{\"token_credential\":\"other\"}";

        ASSERT_EQ(dbot__config_parse(&cfg, j, sizeof j - 1, fake_env, NULL, err,
                                     sizeof err),
                  DBOT_ECONFIG);
    }
    ASSERT_CONTAINS(err, "token_credential: not allowed here");
    ASSERT_NOT_CONTAINS(logbuf, "CRED.");
    env_clear();
}

int
main(void)
{
    dbot_log_set_sink(capture, NULL);
    dbot__log_set_format(DBOT__LOG_TEXT);
    RUN(defaults);
    RUN(every_field_valid);
    RUN(range_edges);
    RUN(every_field_invalid);
    RUN(intents_by_name_and_number);
    RUN(unknown_field_is_a_warning);
    RUN(message_text_helpers);
    RUN(token_prefix_is_stripped_with_warning);
    RUN(token_never_in_errors_or_logs);
    RUN(token_file);
    RUN(environment_overrides);
    RUN(load_from_files);
    RUN(a_pasted_token_is_never_echoed);
    RUN(files_that_block_or_lie_are_refused);
    RUN(service_fields);
    RUN(interaction_endpoint_fields);
    RUN(token_from_systemd_credential);
    return 0;
}
