/*
 * torture_config.c: the config loader (dbot__config_parse, from a JSON
 * text and the environment) with each of its allocations failing in turn.
 * It must then return DBOT_ECONFIG with an error that says memory ran out,
 * free everything (the config included), and never hand back a config
 * with a field silently missing, or with a token the log would print
 * (the token is registered as a log secret while parsing, which allocates
 * too).
 */
#include "../check.h"
#include "config.h"
#include "log.h"
#include "torture.h"

#include <dbot/dbot.h>

/* Every string field set, intents by name, numbers off their defaults. */
static const char config_text[] =
    "{\"token\":\"Tok.en\",\"intents\":[\"GUILDS\",\"GUILD_MESSAGES\","
    "\"MESSAGE_CONTENT\"],\"log_level\":\"warn\",\"log_format\":\"text\","
    "\"api_url\":\"http://127.0.0.1:1/api/v10/\",\"gateway_url\":"
    "\"ws://127.0.0.1:1/gw\",\"shards\":2,\"workers\":3,\"queue_size\":64,"
    "\"ca_file\":\"/etc/ca.pem\",\"application_id\":\"1100000000000000000\","
    "\"dev_guild_id\":\"290926798626357999\",\"state_file\":"
    "\"/var/lib/bot/state\",\"stop_mode\":\"offline\",\"http_listen\":"
    "\"127.0.0.1:9464\",\"token_credential\":\"bot-token\","
    "\"large_threshold\":100}";

static const char *
fake_env(const char *name)
{
    /* The environment's token replaces the config's: one more copy. */
    return !strcmp(name, "DISCORD_TOKEN") ? "Env.token" : NULL;
}

/* Log lines of one run. */
static char logbuf[4096];

static void
capture(const char *line, size_t len, void *data)
{
    size_t have = strlen(logbuf);

    (void)data;
    if (have + len < sizeof logbuf) {
        memcpy(logbuf + have, line, len);
        logbuf[have + len] = '\0';
    }
}

static const char *
no_env(const char *name)
{
    (void)name;
    return NULL;
}

/* One way to run the parse: with or without the environment's token, and
 * the good run's result in a form that compares with strcmp. */
struct variant {
    const char *text;
    dbot__env_fn env;
    char good[1024];
};

static void
describe(const struct dbot_config *c, char *out, size_t n)
{
    snprintf(out, n,
             "%s|%llu|%d|%d|%s|%s|%d|%d|%d|%s|%llu|%llu|%s|%d|%s|%s|%d|%s|%d",
             c->token ? c->token : "-", (unsigned long long)c->intents,
             c->log_level, c->log_format, c->api_url ? c->api_url : "-",
             c->gateway_url ? c->gateway_url : "-", c->shard_count, c->workers,
             c->queue_size, c->ca_file ? c->ca_file : "-",
             (unsigned long long)c->application_id,
             (unsigned long long)c->dev_guild_id,
             c->state_file ? c->state_file : "-", c->stop_mode,
             c->http_listen ? c->http_listen : "-",
             c->http_host ? c->http_host : "-", c->http_port,
             c->token_credential ? c->token_credential : "-",
             c->large_threshold);
}

static int
parse_config(void *arg)
{
    struct variant *v = arg;
    struct dbot_config cfg;
    char err[256], now[1024];
    int rc;

    /* Secrets live for the process: start from none, so each run
     * registers (allocates) them again, and free them at the end. */
    dbot__log_clear_secrets();
    logbuf[0] = '\0';
    rc = dbot__config_parse(&cfg, v->text, strlen(v->text), v->env, NULL, err,
                            sizeof err);
    if (rc == DBOT_ECONFIG) {
        dbot__log_clear_secrets();
        /* The input is valid: the only honest reason is memory. cJSON
         * cannot tell its own allocation failing from a syntax error, so
         * its failures read "not valid JSON". */
        if (!strstr(err, "out of memory") && !strstr(err, "not valid JSON")) {
            fprintf(stderr, "config: failed with \"%s\"\n", err);
            return 1;
        }
        return rc;
    }
    if (rc != 0)
        return rc;
    describe(&cfg, now, sizeof now);
    /* The token in use must be a secret by now. */
    dbot_log(DBOT_LOG_ERROR, "torture", "token %s", cfg.token);
    dbot__config_free(&cfg);
    dbot__log_clear_secrets();
    if (strstr(logbuf, "Env.token") || strstr(logbuf, "Tok.en")) {
        fprintf(stderr, "config: a token reached the log: %s", logbuf);
        return 1;
    }
    if (!v->good[0])
        snprintf(v->good, sizeof v->good, "%s", now);
    else if (strcmp(v->good, now) != 0) {
        fprintf(stderr, "config: got  %s\nconfig: want %s\n", now, v->good);
        return 1;
    }
    return TORTURE_OK;
}

TEST(config_parse_fails_cleanly_at_every_allocation)
{
    static const int errors[] = { DBOT_ECONFIG, 0 };
    /* A token_credential needs $CREDENTIALS_DIRECTORY: not without it. */
    static const char file_token[] =
        "{\"token\":\"Tok.en\",\"intents\":[\"GUILDS\"],\"api_url\":"
        "\"http://127.0.0.1:1/api/v10\",\"state_file\":\"/tmp/s\"}";
    static struct variant with_env = { .text = config_text, .env = fake_env },
                          without_env = { .text = file_token, .env = no_env };

    ASSERT_TRUE(torture_run("config", parse_config, &with_env, errors) > 10);
    ASSERT_TRUE(strstr(with_env.good, "Env.token|") == with_env.good);
    /* Without DISCORD_TOKEN the config's own token is the one in use, and
     * it is registered as a secret only once. */
    ASSERT_TRUE(torture_run("config (token from the file)", parse_config,
                            &without_env, errors) > 10);
    ASSERT_TRUE(strstr(without_env.good, "Tok.en|") == without_env.good);
}

int
main(void)
{
    torture_init();
    dbot_log_set_sink(capture, NULL);
    RUN(config_parse_fails_cleanly_at_every_allocation);
    return 0;
}
