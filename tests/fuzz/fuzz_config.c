/*
 * fuzz_config.c: config.json parser. Checks, beyond "no crash": a parsed
 * config satisfies every documented range, a failed one leaves nothing
 * allocated and an error text, and the token (a sentinel supplied through
 * the environment on every other input) never shows up in an error or a log
 * line.
 */
#include "config.h"
#include "log.h"

#include <dbot/dbot.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SENTINEL "FUZZ.SENTINEL.TOKEN"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether this input runs with the sentinel as DISCORD_TOKEN; otherwise the
 * sentinel text is just text and may be logged. */
static int sentinel_is_token;

static void
check_line(const char *line, size_t len, void *arg)
{
    (void)arg;
    if (sentinel_is_token && memmem(line, len, SENTINEL, strlen(SENTINEL)))
        abort();
}

static const char *
env_with_token(const char *name)
{
    return strcmp(name, "DISCORD_TOKEN") == 0 ? SENTINEL : NULL;
}

/* The "file" holds its own path, so inputs steer the token_file text. */
static char *
read_path_as_file(const char *path, char *err, size_t errlen)
{
    if (strncmp(path, "/missing", 8) == 0) {
        strncpy(err, "No such file or directory", errlen - 1);
        err[errlen - 1] = '\0';
        return NULL;
    }
    return strdup(path);
}

static int
url_ok(const char *u, const char *a, const char *b)
{
    size_t n = strlen(u);
    return (strncmp(u, a, strlen(a)) == 0 || strncmp(u, b, strlen(b)) == 0) &&
           n > 0 && u[n - 1] != '/';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    struct dbot_config cfg;
    char err[256];
    int rc;

    if (!init) {
        dbot_log_set_sink(check_line, NULL);
        dbot_log_set_level(DBOT_LOG_TRACE);
        init = 1;
    }
    err[0] = '\0';
    sentinel_is_token = size % 2 == 0;
    rc = dbot__config_parse(&cfg, (const char *)data, size,
                            size % 2 ? NULL : env_with_token, read_path_as_file,
                            err, sizeof err);
    if (rc == 0) {
        if (!cfg.api_url || !url_ok(cfg.api_url, "http://", "https://"))
            abort();
        if (cfg.gateway_url && !url_ok(cfg.gateway_url, "ws://", "wss://"))
            abort();
        if (cfg.intents & ~dbot__intents_valid_mask())
            abort();
        if (cfg.queue_size < 1 || cfg.queue_size > 1000000 || cfg.workers < 0 ||
            cfg.workers > 256 || cfg.shard_count < 0 ||
            cfg.ack_deadline_ms < 0 || cfg.ack_deadline_ms >= 3000 ||
            cfg.max_message_bytes < 65536 || cfg.large_threshold < 50 ||
            cfg.large_threshold > 250 ||
            cfg.reconnect_max_ms < cfg.reconnect_min_ms || cfg.log_level < 0 ||
            cfg.log_level > DBOT_LOG_TRACE)
            abort();
        if (cfg.token) {
            for (const char *t = cfg.token; *t; t++)
                if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f)
                    abort();
            if (size % 2 == 0 && strcmp(cfg.token, SENTINEL) != 0)
                abort(); /* the environment always wins */
        }
        dbot__config_free(&cfg);
    } else {
        if (rc != DBOT_ECONFIG || err[0] == '\0')
            abort();
        if (cfg.token || cfg.api_url || cfg.gateway_url || cfg.ca_file)
            abort();
        if (sentinel_is_token && strstr(err, SENTINEL))
            abort();
    }
    dbot__log_clear_secrets();
    return 0;
}
