/*
 * config.h: config.json (plus environment overrides) -> struct dbot_config.
 *
 * Pure: bytes and an environment lookup in, a struct or an error message out.
 * No sockets, no clocks, so tests and the fuzzer call it directly. Only
 * dbot__config_load() touches the file system (the config file and
 * token_file), and it runs before the loop starts.
 */
#ifndef DBOT_SRC_CONFIG_H
#define DBOT_SRC_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "intents.h"

#define DBOT_DEFAULT_API_URL "https://discord.com/api/v10"

/* The cache's kinds (cache.h), and their bounds from "cache" in the config
 * (config_cache.c): max[k] entries of kind k, 0 for a kind that is off. */
enum dbot__cache_kind {
    DBOT__CK_GUILDS,
    DBOT__CK_CHANNELS,
    DBOT__CK_THREADS,
    DBOT__CK_ROLES,
    DBOT__CK_MEMBERS,
    DBOT__CK_USERS,
    DBOT__CK_EMOJIS,
    DBOT__CK_VOICE,
    DBOT__CK_PRESENCES,
    DBOT__CK_MESSAGES,
    DBOT__CK_COUNT
};
struct dbot__cache_config {
    int on;                        /* "cache" given and not false */
    uint32_t max[DBOT__CK_COUNT];  /* messages: the total over channels */
    uint32_t messages_per_channel; /* the newest N of each channel */
};

struct dbot_config {
    char *token;         /* bare token, no "Bot " prefix; never logged */
    uint64_t intents;    /* bit set from names or a number */
    int log_level;       /* DBOT_LOG_* */
    int log_format;      /* DBOT__LOG_AUTO, _TEXT or _JOURNAL */
    char *api_url;       /* REST base incl. version, no trailing '/' */
    char *gateway_url;   /* NULL: from GET {api_url}/gateway/bot */
    int shard_count;     /* 0: Discord's recommendation */
    int *shard_ids;      /* the shards this process runs, sorted; NULL: all */
    int n_shard_ids;     /* entries in shard_ids */
    char *redis_url;     /* coordination of the bot's processes; NULL: none */
    int workers;         /* worker threads; 0 means number of cores */
    int queue_size;      /* worker queue bound */
    int gateway_backlog; /* events queued for the loop, at most */
    int slow_handler_ms; /* log handlers slower than this */
    int ack_deadline_ms; /* auto-defer after this; 0 disables */
    int interaction_timeout_ms; /* deferred and never completed: error */
    size_t max_message_bytes;   /* bound on one decompressed gateway message */
    int compress;               /* DBOT__COMPRESS_ZLIB (default) or _ZSTD */
    int tls_verify;       /* 1 unless a test config sets "tls_verify":false */
    char *ca_file;        /* extra CA bundle (tests with a private CA) */
    int reconnect_min_ms; /* first reconnect backoff */
    int reconnect_max_ms; /* backoff cap */
    int rest_connect_timeout_ms;
    int rest_timeout_ms;
    int rest_global_per_sec; /* global REST limit, default 50 */
    int large_threshold;     /* identify large_threshold, 50..250 */
    uint64_t application_id; /* 0: learn from READY / applications/@me */
    uint64_t dev_guild_id;   /* register commands here instead of globally */

    /* Running as a service (docs/service.md). */
    char *state_file;         /* session file when $STATE_DIRECTORY is unset;
                                 NULL: sessions are not saved */
    int stop_mode;            /* DBOT__STOP_RESUME or DBOT__STOP_OFFLINE */
    int shutdown_grace_ms;    /* bound on finishing in-flight work at stop */
    int resume_window_s;      /* older saved sessions are not resumed */
    char *http_listen;        /* "127.0.0.1:9464" as written; NULL: off */
    char *http_host;          /* its address, without [] for IPv6 */
    int http_port;            /* its port, 0: ephemeral (tests); -1: off */
    int http_max_connections; /* open listener connections, all clients */
    int http_max_per_ip;      /* open listener connections per client IP */
    int http_timeout_ms;      /* bound on each request, and on idling */
    char *token_credential;   /* systemd credential holding the token */

    /* Interactions over HTTP (http_ix.c). */
    int gateway;                     /* 0: HTTP-only, no websocket at all */
    char *interactions_listen;       /* "ADDRESS:PORT" as written; NULL: off */
    char *interactions_host;         /* its address, without [] for IPv6 */
    int interactions_port;           /* its port, 0: ephemeral; -1: off */
    char *interactions_path;         /* "/interactions" */
    char *public_key;                /* 64 hex digits; NULL: none */
    int interactions_max_body;       /* bytes; bigger requests get 413 */
    int interactions_freshness_s;    /* X-Signature-Timestamp skew allowed */
    int interactions_timeout_ms;     /* a request's first byte to its answer */
    struct dbot__cache_config cache; /* "cache": off unless given */
};

enum {
    DBOT__STOP_RESUME = 0,  /* close 4000, save the session, resume later */
    DBOT__STOP_OFFLINE = 1, /* close 1000: the bot goes offline */
};

/* Gateway transport compression (discord-protocol.md §1.3). */
enum {
    DBOT__COMPRESS_ZLIB = 1, /* compress=zlib-stream */
    DBOT__COMPRESS_ZSTD = 2, /* compress=zstd-stream */
};

#define DBOT__DEFAULT_CREDENTIAL "discord-token"

/* Fill *cfg with defaults (no token). */
void dbot__config_defaults(struct dbot_config *cfg);

/* Parse a config JSON text into *cfg (defaults first), then apply the
 * environment through `env` (getenv, or a fake in tests): DISCORD_TOKEN
 * overrides the token, then the systemd credential `token_credential`
 * (default "discord-token") in $CREDENTIALS_DIRECTORY, read through
 * `read_file`, overrides the config's token; DBOT_API_URL the API URL (and
 * clears any configured gateway_url, so the gateway URL comes from that API's
 * /gateway/bot). `token_file` is read through `read_file` (NULL forbids it).
 * Unknown fields are logged as warnings. On error, `err` receives a message
 * that names the field and what is wrong, e.g.
 * "intents[1]: unknown intent \"GUILD_MESAGES\"".
 * Returns 0 or DBOT_ECONFIG (cfg is then freed). */
typedef const char *(*dbot__env_fn)(const char *name);
typedef char *(*dbot__read_file_fn)(const char *path, char *err, size_t errlen);
int dbot__config_parse(struct dbot_config *cfg, const char *json, size_t len,
                       dbot__env_fn env, dbot__read_file_fn read_file,
                       char *err, size_t errlen);

/* Load from a path (NULL: $DBOT_CONFIG, then ./config.json if present, else
 * environment only) with the real environment and file system. Logs the
 * error itself. Returns 0 or DBOT_ECONFIG. */
int dbot__config_load(struct dbot_config *cfg, const char *path);

/* Check the parts that must be present to connect (the token). */
int dbot__config_validate_for_run(const struct dbot_config *cfg, char *err,
                                  size_t errlen);

/* dbot__intent_bit() and dbot__intents_valid_mask() live in intents.h. */

/* The i-th JSON key the parser knows (0-based), NULL past the last one.
 * Lets tests check that the example config and the docs list every field. */
const char *dbot__config_field_name(size_t i);

void dbot__config_free(struct dbot_config *cfg);

/* Parse the "cache" field (config_cache.c) into *out. Returns 0 or
 * DBOT_ECONFIG with `err` naming the key and what is wrong. */
struct cJSON;
int dbot__config_cache(const struct cJSON *v, struct dbot__cache_config *out,
                       char *err, size_t errlen);
/* The config key of cache kind k ("guilds", ...), NULL out of range. */
const char *dbot__cache_kind_key(int k);

#endif
