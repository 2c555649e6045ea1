/*
 * test_config_scale.c: "shard_ids", "redis_url", DBOT_SHARDS,
 * DBOT_SHARD_IDS, DBOT_REDIS_URL and the application id the Redis keys are
 * named by (config_scale.c, redis_url.c).
 */
#include "../check.h"

#include "config.h"
#include "config_scale.h"
#include "redis_url.h"

#include <dbot/dbot.h>

#include <stdlib.h>
#include <string.h>

#define TOKEN "NzkyNzE1NDU0MTk2MDg4ODQy.X-hvzA.secret-token-for-tests"

static const char *env_shards, *env_ids, *env_url;

static const char *
fake_env(const char *name)
{
    if (strcmp(name, "DBOT_SHARDS") == 0)
        return env_shards;
    if (strcmp(name, "DBOT_SHARD_IDS") == 0)
        return env_ids;
    if (strcmp(name, "DBOT_REDIS_URL") == 0)
        return env_url;
    return NULL;
}

static int
parse(struct dbot_config *cfg, const char *json, char *err, size_t errlen)
{
    return dbot__config_parse(cfg, json, strlen(json), fake_env, NULL, err,
                              errlen);
}

/* Parses and gives ids[0..n) exactly. */
static void
expect_ids(const char *json, const int *want, int n)
{
    struct dbot_config cfg;
    char err[256] = "";

    if (parse(&cfg, json, err, sizeof err) != 0)
        CHECK_FAIL_("%s: %s", json, err);
    ASSERT_EQ(cfg.n_shard_ids, n);
    for (int i = 0; i < n; i++)
        ASSERT_EQ(cfg.shard_ids[i], want[i]);
    dbot__config_free(&cfg);
}

static void
expect_error(const char *json, const char *msg)
{
    struct dbot_config cfg;
    char err[256] = "";

    ASSERT_EQ(parse(&cfg, json, err, sizeof err), DBOT_ECONFIG);
    ASSERT_CONTAINS(err, msg);
}

TEST(shard_ids_forms)
{
    static const int r[] = { 4, 5, 6, 7 }, a[] = { 0, 1, 5 },
                     m[] = { 0, 1, 2, 3, 8 };

    expect_ids("{\"shards\":16,\"shard_ids\":\"4-7\"}", r, 4);
    expect_ids("{\"shards\":16,\"shard_ids\":[5,0,1]}", a, 3);
    expect_ids("{\"shards\":16,\"shard_ids\":\"0-3, 8\"}", m, 5);
    expect_ids("{\"shards\":16,\"shard_ids\":\"7\"}", r + 3, 1);
    expect_ids("{\"shards\":16,\"shard_ids\":null}", NULL, 0);
}

TEST(shard_ids_errors)
{
    expect_error("{\"shard_ids\":\"0-3\"}",
                 "shard_ids: needs \"shards\" (or DBOT_SHARDS)");
    expect_error("{\"shards\":8,\"shard_ids\":\"4-8\"}",
                 "shard 8 is out of range: the bot has 8 shards (0-7)");
    expect_error("{\"shards\":8,\"shard_ids\":[1,2,1]}",
                 "shard_ids: shard 1 is listed twice");
    expect_error("{\"shards\":8,\"shard_ids\":\"3-1\"}", "ranges ascending");
    expect_error("{\"shards\":8,\"shard_ids\":\"0-\"}", "\"first-last\"");
    expect_error("{\"shards\":8,\"shard_ids\":[]}", "empty");
    expect_error("{\"shards\":8,\"shard_ids\":[1.5]}",
                 "shard_ids[0]: must be an integer");
    expect_error("{\"shards\":8,\"shard_ids\":{}}", "must be an array");
    expect_error("{\"shards\":8,\"shard_ids\":\"99999\"}", "\"first-last\"");
}

TEST(environment)
{
    static const int r[] = { 8, 9, 10, 11 };
    struct dbot_config cfg;
    char err[256] = "";

    env_shards = "16";
    env_ids = "8-11";
    env_url = "redis://127.0.0.1:7000/2";
    expect_ids("{\"shards\":4,\"shard_ids\":\"0-3\"}", r, 4);
    ASSERT_EQ(parse(&cfg, "{}", err, sizeof err), 0);
    ASSERT_EQ(cfg.shard_count, 16);
    ASSERT_STREQ(cfg.redis_url, "redis://127.0.0.1:7000/2");
    dbot__config_free(&cfg);
    env_shards = "sixteen";
    expect_error("{}", "DBOT_SHARDS: must be an integer");
    env_shards = "16";
    env_ids = "a-b";
    expect_error("{}", "DBOT_SHARD_IDS: must be");
    env_ids = NULL;
    env_url = "rediss://host";
    expect_error("{}", "redis_url: rediss:// (TLS) is not supported");
    env_shards = env_url = NULL;
}

static void
url_ok(const char *url, const char *host, int port, const char *path,
       const char *pw, int db)
{
    struct dbot__redis_addr a;
    char err[256] = "";

    if (dbot__redis_url_parse(url, &a, err, sizeof err) != 0)
        CHECK_FAIL_("%s: %s", url, err);
    ASSERT_STREQ(a.host, host);
    ASSERT_EQ(a.port, port);
    ASSERT_STREQ(a.path, path);
    ASSERT_STREQ(a.password, pw);
    ASSERT_EQ(a.db, db);
}

static void
url_bad(const char *url, const char *msg)
{
    struct dbot__redis_addr a;
    char err[256] = "";

    ASSERT_EQ(dbot__redis_url_parse(url, &a, err, sizeof err), DBOT_EINVAL);
    ASSERT_CONTAINS(err, msg);
    ASSERT_NOT_CONTAINS(err, "hunter2");
}

TEST(redis_urls)
{
    url_ok("redis://localhost", "localhost", 6379, "", "", 0);
    url_ok("redis://10.0.0.5:7000/3", "10.0.0.5", 7000, "", "", 3);
    url_ok("redis://:hunter2@h:1/", "h", 1, "", "hunter2", 0);
    url_ok("redis://default:hunter2@h", "h", 6379, "", "hunter2", 0);
    url_ok("redis://[::1]:6380", "::1", 6380, "", "", 0);
    url_ok("unix:///run/redis/redis.sock", "", 6379, "/run/redis/redis.sock",
           "", 0);
    url_ok("unix:///tmp/r.sock?db=5", "", 6379, "/tmp/r.sock", "", 5);
    url_bad("rediss://:hunter2@h", "rediss:// (TLS) is not supported");
    url_bad("http://h", "must start with redis:// or unix://");
    url_bad("redis://hunter2@h", "the password goes after a ':'");
    url_bad("redis://bob:hunter2@h", "only the \"default\" user");
    url_bad("redis://h:0", "the port must be a number 1-65535");
    url_bad("redis://h:99999", "the port must be a number 1-65535");
    url_bad("redis://:hunter2@", "the host is empty");
    url_bad("redis://h/x", "the database after '/' must be a number");
    url_bad("unix://relative", "absolute socket path");
    url_bad("unix:///s?x=1", "only ?db=N");
    url_bad("redis://h a", "space or control character");
    url_bad("", "empty");
}

static char logged[1024];

static void
sink(const char *line, size_t len, void *data)
{
    (void)data;
    snprintf(logged, sizeof logged, "%.*s", (int)len, line);
}

TEST(redis_password_is_a_secret)
{
    struct dbot_config cfg;
    char err[256] = "";

    dbot_log_set_sink(sink, NULL);
    ASSERT_EQ(parse(&cfg, "{\"redis_url\":\"redis://:s3cr3t-pw@h\"}", err,
                    sizeof err),
              0);
    dbot_log(DBOT_LOG_ERROR, "test", "url %s", cfg.redis_url);
    ASSERT_CONTAINS(logged, "url redis://:");
    ASSERT_NOT_CONTAINS(logged, "s3cr3t-pw");
    dbot__config_free(&cfg);
    dbot_log_set_sink(NULL, NULL);
}

TEST(application_id)
{
    struct dbot_config cfg;

    dbot__config_defaults(&cfg);
    cfg.token = TOKEN;
    ASSERT_EQ(dbot__config_app_id(&cfg), 792715454196088842ULL);
    cfg.application_id = 42;
    ASSERT_EQ(dbot__config_app_id(&cfg), 42ULL);
    cfg.application_id = 0;
    cfg.token = "not-base64-digits!.x.y";
    ASSERT_EQ(dbot__config_app_id(&cfg), 0ULL);
    cfg.token = "aGVsbG8.x.y"; /* "hello": not a number */
    ASSERT_EQ(dbot__config_app_id(&cfg), 0ULL);
    cfg.token = NULL;
    ASSERT_EQ(dbot__config_app_id(&cfg), 0ULL);
}

int
main(void)
{
    RUN(shard_ids_forms);
    RUN(shard_ids_errors);
    RUN(environment);
    RUN(redis_urls);
    RUN(redis_password_is_a_secret);
    RUN(application_id);
    return 0;
}
