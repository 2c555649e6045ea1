/*
 * config.c: config.json plus environment -> struct dbot_config.
 *
 * DESIGN. One table lists every field with its JSON key and a setter. The
 * parser walks the object's members in document order, finds each key in the
 * table and calls the setter, so a duplicated key, an unknown key and a
 * wrong type are all seen exactly once and reported with the key's name.
 * Setters write into the struct and fill `err` on failure; the first error
 * stops parsing and the half-filled struct is freed, so a caller never sees
 * a partly valid config.
 *
 * Reading the config file and token_file from disk lives in config_load.c.
 *
 * The token is special: it is looked up before anything else and registered
 * with the logger as a secret, so even a warning printed while the rest of
 * the file is parsed cannot show it. Error texts never quote the token's
 * value (nor token_file's contents); as a last line of defence every error
 * text is scrubbed of the token before it is returned.
 *
 * Numbers: cJSON keeps numbers as doubles. Integers are accepted only when
 * the double is integral and within the field's range. Snowflakes should be
 * strings (parsed with strtoull); a number is accepted only up to 2^53, where
 * a double is still exact.
 */
#include "config.h"

#include "config_text.h"
#include "log.h"

#include <dbot/dbot.h>

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include "config_scale.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EXACT_DOUBLE 9007199254740992.0 /* 2^53 */

void
dbot__config_defaults(struct dbot_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->token = NULL;
    cfg->intents =
        dbot__intent_bit("GUILDS") | dbot__intent_bit("GUILD_MESSAGES");
    cfg->log_level = DBOT_LOG_INFO;
    cfg->log_format = DBOT__LOG_AUTO;
    cfg->api_url = NULL; /* filled in by parse; defaults cannot fail */
    cfg->gateway_url = NULL;
    cfg->shard_count = 0;
    cfg->workers = 0;
    cfg->queue_size = 1024;
    cfg->gateway_backlog = 10000;
    cfg->slow_handler_ms = 100;
    cfg->ack_deadline_ms = 2000;
    cfg->interaction_timeout_ms = 14 * 60 * 1000;
    cfg->max_message_bytes = (size_t)64 * 1024 * 1024;
    cfg->compress = DBOT__COMPRESS_ZLIB;
    cfg->tls_verify = 1;
    cfg->ca_file = NULL;
    cfg->reconnect_min_ms = 1000;
    cfg->reconnect_max_ms = 60000;
    cfg->rest_connect_timeout_ms = 10000;
    cfg->rest_timeout_ms = 30000;
    cfg->rest_global_per_sec = 50;
    cfg->large_threshold = 250;
    cfg->application_id = 0;
    cfg->dev_guild_id = 0;
    cfg->state_file = NULL;
    cfg->stop_mode = DBOT__STOP_RESUME;
    cfg->shutdown_grace_ms = 10000;
    cfg->resume_window_s = 180;
    cfg->http_listen = NULL;
    cfg->http_host = NULL;
    cfg->http_port = -1;
    cfg->http_max_connections = 16;
    cfg->http_max_per_ip = 4;
    cfg->http_timeout_ms = 5000;
    cfg->token_credential = NULL;
    cfg->gateway = 1;
    cfg->interactions_listen = NULL;
    cfg->interactions_host = NULL;
    cfg->interactions_port = -1;
    cfg->interactions_path = NULL; /* "/interactions", set by parse */
    cfg->public_key = NULL;
    cfg->interactions_max_body = 256 * 1024;
    cfg->interactions_freshness_s = 30;
    cfg->interactions_timeout_ms = 10000;
}

void
dbot__config_free(struct dbot_config *cfg)
{
    if (!cfg)
        return;
    if (cfg->token) {
        explicit_bzero(cfg->token, strlen(cfg->token));
        free(cfg->token);
    }
    free(cfg->api_url);
    free(cfg->gateway_url);
    free(cfg->ca_file);
    free(cfg->state_file);
    free(cfg->http_listen);
    free(cfg->http_host);
    free(cfg->token_credential);
    free(cfg->shard_ids);
    free(cfg->redis_url);
    cfg->shard_ids = NULL;
    cfg->n_shard_ids = 0;
    cfg->redis_url = NULL;
    free(cfg->interactions_listen);
    free(cfg->interactions_host);
    free(cfg->interactions_path);
    free(cfg->public_key);
    cfg->interactions_listen = cfg->interactions_host = NULL;
    cfg->interactions_path = cfg->public_key = NULL;
    cfg->token = cfg->api_url = cfg->gateway_url = cfg->ca_file = NULL;
    cfg->state_file = cfg->http_listen = cfg->http_host = NULL;
    cfg->token_credential = NULL;
}

/* ---- error formatting ------------------------------------------------- */

/* Parse state shared by the setters. */
struct pctx {
    struct dbot_config *cfg;
    char *err;
    size_t errlen;
    dbot__read_file_fn read_file;
    const char *token_seen; /* the raw token text, to scrub from errors */
    const char *env_token;  /* DISCORD_TOKEN, which wins over the file */
    bool have_token;
    bool have_token_file;
};

static void fail(struct pctx *p, const char *fmt, ...) DBOT_PRINTF(2, 3);

static void
fail(struct pctx *p, const char *fmt, ...)
{
    va_list ap;

    if (!p->err || p->errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(p->err, p->errlen, fmt, ap);
    va_end(ap);
}

/* Quote a user value for a message, hiding it if it holds the token. */
static void
quote(const struct pctx *p, char *dst, size_t cap, const char *s)
{
    const char *secrets[3] = { p->cfg->token, p->token_seen, p->env_token };

    dbot__cfgtext_quote(dst, cap, s, secrets, 3);
}

/* What the user wrote, for "got ..." in error messages. */
static void
describe(const struct pctx *p, char *dst, size_t cap, const cJSON *v)
{
    const char *secrets[3] = { p->cfg->token, p->token_seen, p->env_token };

    dbot__cfgtext_describe(dst, cap, v, secrets, 3);
}

/* ---- typed getters ---------------------------------------------------- */

static int
get_int(struct pctx *p, const cJSON *v, const char *key, long long lo,
        long long hi, long long *out)
{
    char got[64];

    if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
        v->valuedouble >= (double)lo && v->valuedouble <= (double)hi) {
        *out = (long long)v->valuedouble;
        return 0;
    }
    describe(p, got, sizeof got, v);
    fail(p, "%s: must be an integer between %lld and %lld, got %s", key, lo, hi,
         got);
    return DBOT_ECONFIG;
}

static int
set_int_field(struct pctx *p, const cJSON *v, const char *key, long long lo,
              long long hi, int *field)
{
    long long x;

    if (get_int(p, v, key, lo, hi, &x) < 0)
        return DBOT_ECONFIG;
    *field = (int)x;
    return 0;
}

static int
get_string(struct pctx *p, const cJSON *v, const char *key, const char **out)
{
    char got[64];

    if (cJSON_IsString(v) && v->valuestring) {
        *out = v->valuestring;
        return 0;
    }
    describe(p, got, sizeof got, v);
    fail(p, "%s: must be a string, got %s", key, got);
    return DBOT_ECONFIG;
}

static int
dup_into(struct pctx *p, char **field, const char *s, size_t n)
{
    char *copy = strndup(s, n);

    if (!copy) {
        fail(p, "out of memory");
        return DBOT_ENOMEM;
    }
    free(*field);
    *field = copy;
    return 0;
}

static bool
has_space_or_ctl(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s == 0x7f)
            return true;
    return false;
}

/* Check a URL's scheme and shape; store it without trailing slashes. */
static int
set_url(struct pctx *p, const char *key, const char *s,
        const char *const *schemes, const char *schemes_text, bool allow_query,
        char **field)
{
    char q[64];
    size_t n = strlen(s);
    const char *rest = NULL;

    for (size_t i = 0; schemes[i]; i++)
        if (strncmp(s, schemes[i], strlen(schemes[i])) == 0)
            rest = s + strlen(schemes[i]);
    quote(p, q, sizeof q, s);
    if (!rest) {
        fail(p, "%s: must start with %s, got %s", key, schemes_text, q);
        return DBOT_ECONFIG;
    }
    if (*rest == '\0' || *rest == '/') {
        fail(p, "%s: has no host name, got %s", key, q);
        return DBOT_ECONFIG;
    }
    if (has_space_or_ctl(s)) {
        fail(p, "%s: must not contain spaces or control characters, got %s",
             key, q);
        return DBOT_ECONFIG;
    }
    if (!allow_query && strpbrk(s, "?#")) {
        fail(p,
             "%s: must not contain a query string or fragment (dbot adds "
             "?v=10&encoding=json&compress=zlib-stream), got %s",
             key, q);
        return DBOT_ECONFIG;
    }
    while (n > 0 && s[n - 1] == '/')
        n--;
    return dup_into(p, field, s, n);
}

static const char *const http_schemes[] = { "https://", "http://", NULL };
static const char *const ws_schemes[] = { "wss://", "ws://", NULL };

/* Snowflake: a decimal string ^(0|[1-9][0-9]*)$ that fits in 64 bits, or an
 * integral number up to 2^53. */
static int
set_snowflake(struct pctx *p, const cJSON *v, const char *key, uint64_t *field)
{
    char got[64];

    if (cJSON_IsNull(v)) {
        *field = 0;
        return 0;
    }
    if (cJSON_IsString(v)) {
        const char *s = v->valuestring;
        unsigned long long x;
        char *end;
        bool ok = s[0] >= '0' && s[0] <= '9' && !(s[0] == '0' && s[1]);

        for (const char *c = s; ok && *c; c++)
            ok = *c >= '0' && *c <= '9';
        if (ok) {
            errno = 0;
            x = strtoull(s, &end, 10);
            ok = errno == 0 && *end == '\0';
            if (ok) {
                *field = (uint64_t)x;
                return 0;
            }
        }
        quote(p, got, sizeof got, s);
        fail(p,
             "%s: must be a snowflake (a decimal id string like "
             "\"41771983444115456\"), got %s",
             key, got);
        return DBOT_ECONFIG;
    }
    if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
        v->valuedouble >= 0 && v->valuedouble <= MAX_EXACT_DOUBLE) {
        *field = (uint64_t)v->valuedouble;
        return 0;
    }
    describe(p, got, sizeof got, v);
    fail(p,
         "%s: must be a snowflake string like \"41771983444115456\" "
         "(JSON numbers lose precision above 2^53), got %s",
         key, got);
    return DBOT_ECONFIG;
}

/* ---- the token -------------------------------------------------------- */

/* Trim, strip a "Bot " prefix (with a warning) and check the characters.
 * `origin` names where it came from for messages; the value never appears
 * in them. Takes a borrowed text, stores a copy. */
static int
set_token(struct pctx *p, const char *origin, const char *s)
{
    size_t n;

    while (*s && isspace((unsigned char)*s))
        s++;
    if (strncasecmp(s, "bot ", 4) == 0) {
        s += 4;
        while (*s && isspace((unsigned char)*s))
            s++;
        LOG_W("config",
              "%s: the token starts with \"Bot \"; the prefix was "
              "removed (dbot adds it where Discord wants it)",
              origin);
    }
    n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0) {
        fail(p, "%s: the token is empty", origin);
        return DBOT_ECONFIG;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f) {
            fail(p,
                 "%s: the token contains spaces, control or non-ASCII "
                 "characters (byte %zu); copy it again from the Developer "
                 "Portal",
                 origin, i + 1);
            return DBOT_ECONFIG;
        }
    }
    if (dup_into(p, &p->cfg->token, s, n) < 0)
        return DBOT_ENOMEM;
    /* A token that cannot be redacted must not be used: the first log
     * line that names it would print it. */
    if (dbot_log_add_secret(p->cfg->token) < 0) {
        fail(p, "out of memory");
        return DBOT_ENOMEM;
    }
    return 0;
}

/* ---- setters, one per field ------------------------------------------ */

typedef int (*setter_fn)(struct pctx *p, const cJSON *v, const char *key);

static int
f_token(struct pctx *p, const cJSON *v, const char *key)
{
    if (cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v)) {
        /* describe() would be harmless for non-strings, but say less. */
        fail(p, "%s: must be a string", key);
        return DBOT_ECONFIG;
    }
    if (p->have_token_file) {
        fail(p, "token: both \"token\" and \"token_file\" are set; use one");
        return DBOT_ECONFIG;
    }
    p->have_token = true;
    if (p->env_token)
        return 0; /* overridden by DISCORD_TOKEN below */
    return set_token(p, key, v->valuestring);
}

static int
f_token_file(struct pctx *p, const cJSON *v, const char *key)
{
    const char *path;
    char ferr[256] = "";
    char *text;
    int rc;

    if (cJSON_IsNull(v))
        return 0;
    if (get_string(p, v, key, &path) < 0)
        return DBOT_ECONFIG;
    if (p->have_token) {
        fail(p, "token: both \"token\" and \"token_file\" are set; use one");
        return DBOT_ECONFIG;
    }
    if (!*path) {
        fail(p, "token_file: must be a path, got \"\"");
        return DBOT_ECONFIG;
    }
    if (!p->read_file) {
        fail(p, "token_file: not allowed here; use \"token\" or "
                "DISCORD_TOKEN");
        return DBOT_ECONFIG;
    }
    p->have_token_file = true;
    if (p->env_token)
        return 0; /* DISCORD_TOKEN wins; do not even read the file */
    text = p->read_file(path, ferr, sizeof ferr);
    if (!text) {
        char q[64];
        quote(p, q, sizeof q, path);
        fail(p, "token_file: cannot read %s: %s", q,
             ferr[0] ? ferr : "unknown error");
        return DBOT_ECONFIG;
    }
    rc = set_token(p, "token_file", text);
    explicit_bzero(text, strlen(text));
    free(text);
    return rc;
}

static int
f_intents(struct pctx *p, const cJSON *v, const char *key)
{
    uint64_t mask = dbot__intents_valid_mask();
    uint64_t bits = 0;
    char got[64];
    int i = 0;

    if (cJSON_IsNumber(v)) {
        long long x;
        if (get_int(p, v, key, 0, (1LL << 53), &x) < 0)
            return DBOT_ECONFIG;
        if ((uint64_t)x & ~mask) {
            fail(p,
                 "intents: %lld has undocumented bits 0x%llx (Discord "
                 "closes with 4013); use intent names",
                 x, (unsigned long long)((uint64_t)x & ~mask));
            return DBOT_ECONFIG;
        }
        p->cfg->intents = (uint64_t)x;
        return 0;
    }
    if (!cJSON_IsArray(v)) {
        describe(p, got, sizeof got, v);
        fail(p,
             "intents: must be an array of intent names like "
             "[\"GUILDS\", \"GUILD_MESSAGES\"] or an integer, got %s",
             got);
        return DBOT_ECONFIG;
    }
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        uint64_t b;
        if (!cJSON_IsString(e)) {
            describe(p, got, sizeof got, e);
            fail(p, "intents[%d]: must be an intent name, got %s", i, got);
            return DBOT_ECONFIG;
        }
        b = dbot__intent_bit(e->valuestring);
        if (!b) {
            quote(p, got, sizeof got, e->valuestring);
            fail(p, "intents[%d]: unknown intent %s", i, got);
            return DBOT_ECONFIG;
        }
        bits |= b;
    }
    p->cfg->intents = bits;
    return 0;
}

static int
f_log_level(struct pctx *p, const cJSON *v, const char *key)
{
    const char *s;
    char q[64];
    int lvl;

    if (get_string(p, v, key, &s) < 0)
        return DBOT_ECONFIG;
    lvl = dbot_log_level_parse(s);
    if (lvl < 0) {
        quote(p, q, sizeof q, s);
        fail(p, "%s: must be one of error, warn, info, debug, trace; got %s",
             key, q);
        return DBOT_ECONFIG;
    }
    p->cfg->log_level = lvl;
    return 0;
}

static int
f_log_format(struct pctx *p, const cJSON *v, const char *key)
{
    const char *s;
    char q[64];

    if (get_string(p, v, key, &s) < 0)
        return DBOT_ECONFIG;
    if (strcmp(s, "auto") == 0) {
        p->cfg->log_format = DBOT__LOG_AUTO;
    } else if (strcmp(s, "text") == 0) {
        p->cfg->log_format = DBOT__LOG_TEXT;
    } else if (strcmp(s, "journal") == 0) {
        p->cfg->log_format = DBOT__LOG_JOURNAL;
    } else {
        quote(p, q, sizeof q, s);
        fail(p, "%s: must be one of auto, text, journal; got %s", key, q);
        return DBOT_ECONFIG;
    }
    return 0;
}

static int
f_api_url(struct pctx *p, const cJSON *v, const char *key)
{
    const char *s;

    if (get_string(p, v, key, &s) < 0)
        return DBOT_ECONFIG;
    return set_url(p, key, s, http_schemes, "http:// or https://", true,
                   &p->cfg->api_url);
}

static int
f_gateway_url(struct pctx *p, const cJSON *v, const char *key)
{
    const char *s;

    if (cJSON_IsNull(v)) {
        free(p->cfg->gateway_url);
        p->cfg->gateway_url = NULL;
        return 0;
    }
    if (get_string(p, v, key, &s) < 0)
        return DBOT_ECONFIG;
    return set_url(p, key, s, ws_schemes, "ws:// or wss://", false,
                   &p->cfg->gateway_url);
}

static int
f_max_message_bytes(struct pctx *p, const cJSON *v, const char *key)
{
    long long x;

    if (get_int(p, v, key, 65536, 1LL << 30, &x) < 0)
        return DBOT_ECONFIG;
    p->cfg->max_message_bytes = (size_t)x;
    return 0;
}

/* true or false into *dst (1 or 0). */
static int
set_bool(struct pctx *p, const cJSON *v, const char *key, int *dst)
{
    char got[64];

    if (!cJSON_IsBool(v)) {
        describe(p, got, sizeof got, v);
        fail(p, "%s: must be true or false, got %s", key, got);
        return DBOT_ECONFIG;
    }
    *dst = cJSON_IsTrue(v) ? 1 : 0;
    return 0;
}

static int
f_tls_verify(struct pctx *p, const cJSON *v, const char *key)
{
    return set_bool(p, v, key, &p->cfg->tls_verify);
}

/* A path or null (*dst freed and NULL); "" is an error. */
static int
set_optional_path(struct pctx *p, const cJSON *v, const char *key, char **dst)
{
    const char *s;

    if (cJSON_IsNull(v)) {
        free(*dst);
        *dst = NULL;
        return 0;
    }
    if (get_string(p, v, key, &s) < 0)
        return DBOT_ECONFIG;
    if (!*s) {
        fail(p, "%s: must be a path, got \"\"", key);
        return DBOT_ECONFIG;
    }
    return dup_into(p, dst, s, strlen(s));
}

static int
f_ca_file(struct pctx *p, const cJSON *v, const char *key)
{
    return set_optional_path(p, v, key, &p->cfg->ca_file);
}

static int
f_application_id(struct pctx *p, const cJSON *v, const char *key)
{
    return set_snowflake(p, v, key, &p->cfg->application_id);
}

static int
f_dev_guild_id(struct pctx *p, const cJSON *v, const char *key)
{
    return set_snowflake(p, v, key, &p->cfg->dev_guild_id);
}

static int
f_state_file(struct pctx *p, const cJSON *v, const char *key)
{
    return set_optional_path(p, v, key, &p->cfg->state_file);
}

static int
f_stop_mode(struct pctx *p, const cJSON *v, const char *key)
{
    const char *s;
    char q[64];

    if (get_string(p, v, key, &s) < 0)
        return DBOT_ECONFIG;
    if (strcmp(s, "resume") == 0) {
        p->cfg->stop_mode = DBOT__STOP_RESUME;
    } else if (strcmp(s, "offline") == 0) {
        p->cfg->stop_mode = DBOT__STOP_OFFLINE;
    } else {
        quote(p, q, sizeof q, s);
        fail(p,
             "%s: must be \"resume\" (restart without a gap) or "
             "\"offline\" (end the session), got %s",
             key, q);
        return DBOT_ECONFIG;
    }
    return 0;
}

static int
f_compress(struct pctx *p, const cJSON *v, const char *key)
{
    const char *s;
    char q[64];

    if (get_string(p, v, key, &s) < 0)
        return DBOT_ECONFIG;
    if (strcmp(s, "zlib-stream") == 0) {
        p->cfg->compress = DBOT__COMPRESS_ZLIB;
    } else if (strcmp(s, "zstd-stream") == 0) {
        p->cfg->compress = DBOT__COMPRESS_ZSTD;
    } else {
        quote(p, q, sizeof q, s);
        fail(p, "%s: must be \"zlib-stream\" or \"zstd-stream\", got %s", key,
             q);
        return DBOT_ECONFIG;
    }
    return 0;
}

/* "ADDR:PORT" with ADDR an IPv4 address, "localhost" or "[IPv6]", into
 * *listen (as written), *host and *port. `key` names it in errors. */
static int
set_listen(struct pctx *p, const char *s, const char *key, char **listen,
           char **host, int *port_out)
{
    const char *colon, *h;
    size_t hl;
    long port = 0;
    char q[64];

    quote(p, q, sizeof q, s);
    colon = strrchr(s, ':');
    h = s;
    hl = colon ? (size_t)(colon - s) : 0;
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    if (!colon || hl == 0 || !colon[1] || strlen(colon + 1) > 5) {
        fail(p,
             "%s: must be \"ADDRESS:PORT\" like \"127.0.0.1:9464\", "
             "got %s",
             key, q);
        return DBOT_ECONFIG;
    }
    /* lws binds IP literals (or interface names, silently not listening
     * when there is none); only take what surely binds. */
    if (hl == 9 && strncmp(h, "localhost", 9) == 0) {
        h = "127.0.0.1";
        hl = 9;
    } else {
        char addr[64];
        unsigned char bin[16];

        if (hl >= sizeof addr) {
            fail(p, "%s: bad address in %s", key, q);
            return DBOT_ECONFIG;
        }
        memcpy(addr, h, hl);
        addr[hl] = '\0';
        if (inet_pton(AF_INET, addr, bin) != 1 &&
            inet_pton(AF_INET6, addr, bin) != 1) {
            fail(p,
                 "%s: bad address in %s: use an IP address like 127.0.0.1 "
                 "or [::1]",
                 key, q);
            return DBOT_ECONFIG;
        }
    }
    for (const char *c = colon + 1; *c; c++) {
        if (*c < '0' || *c > '9') {
            fail(p, "%s: bad port in %s", key, q);
            return DBOT_ECONFIG;
        }
        port = port * 10 + (*c - '0');
    }
    if (port > 65535) {
        fail(p, "%s: port must be 0..65535, got %s", key, q);
        return DBOT_ECONFIG;
    }
    if (dup_into(p, listen, s, strlen(s)) < 0 || dup_into(p, host, h, hl) < 0)
        return DBOT_ENOMEM;
    *port_out = (int)port;
    return 0;
}

/* A listen field: null turns it off, a string is set_listen's. */
static int
listen_value(struct pctx *p, const cJSON *v, const char *key, char **listen,
             char **host, int *port)
{
    const char *s;

    if (cJSON_IsNull(v)) {
        free(*listen);
        free(*host);
        *listen = *host = NULL;
        *port = -1;
        return 0;
    }
    if (get_string(p, v, key, &s) < 0)
        return DBOT_ECONFIG;
    return set_listen(p, s, key, listen, host, port);
}

static int
f_http_listen(struct pctx *p, const cJSON *v, const char *key)
{
    return listen_value(p, v, key, &p->cfg->http_listen, &p->cfg->http_host,
                        &p->cfg->http_port);
}

/* ---- interactions over HTTP (docs: README "Interactions over HTTP") ---- */

static int
f_interactions_listen(struct pctx *p, const cJSON *v, const char *key)
{
    return listen_value(p, v, key, &p->cfg->interactions_listen,
                        &p->cfg->interactions_host, &p->cfg->interactions_port);
}

/* An absolute path without query, blanks or controls: what the listener
 * compares the request target with. */
static int
f_interactions_path(struct pctx *p, const cJSON *v, const char *key)
{
    const char *s;
    char q[64];

    if (get_string(p, v, key, &s) < 0)
        return DBOT_ECONFIG;
    if (s[0] != '/' || strlen(s) > 255 || strchr(s, '?') || strchr(s, '#') ||
        has_space_or_ctl(s)) {
        quote(p, q, sizeof q, s);
        fail(p,
             "%s: must be a path like \"/interactions\" (no query, at "
             "most 255 bytes), got %s",
             key, q);
        return DBOT_ECONFIG;
    }
    return dup_into(p, &p->cfg->interactions_path, s, strlen(s));
}

/* The portal's "Public Key": 64 hex digits (checked again, as a key, by
 * verify.c when the listener starts). */
static int
set_public_key(struct pctx *p, const char *s, const char *key)
{
    char q[64];
    size_t n = strlen(s);

    if (n != 64 || strspn(s, "0123456789abcdefABCDEF") != 64) {
        quote(p, q, sizeof q, s);
        fail(p,
             "%s: must be the application's Public Key from the Developer "
             "Portal (64 hex digits), got %s",
             key, q);
        return DBOT_ECONFIG;
    }
    return dup_into(p, &p->cfg->public_key, s, n);
}

static int
f_public_key(struct pctx *p, const cJSON *v, const char *key)
{
    const char *s;

    if (cJSON_IsNull(v)) {
        free(p->cfg->public_key);
        p->cfg->public_key = NULL;
        return 0;
    }
    if (get_string(p, v, key, &s) < 0)
        return DBOT_ECONFIG;
    return set_public_key(p, s, key);
}

static int
f_gateway(struct pctx *p, const cJSON *v, const char *key)
{
    return set_bool(p, v, key, &p->cfg->gateway);
}

/* DBOT_INTERACTIONS_LISTEN, DISCORD_PUBLIC_KEY and DBOT_GATEWAY. */
static int
apply_interactions_env(struct pctx *p, dbot__env_fn env)
{
    const char *s = env("DBOT_INTERACTIONS_LISTEN");
    char q[64];

    if (s && *s &&
        set_listen(p, s, "DBOT_INTERACTIONS_LISTEN",
                   &p->cfg->interactions_listen, &p->cfg->interactions_host,
                   &p->cfg->interactions_port) < 0)
        return DBOT_ECONFIG;
    s = env("DISCORD_PUBLIC_KEY");
    if (s && *s && set_public_key(p, s, "DISCORD_PUBLIC_KEY") < 0)
        return DBOT_ECONFIG;
    s = env("DBOT_GATEWAY");
    if (s && *s) {
        if (strcmp(s, "0") == 0 || strcmp(s, "false") == 0) {
            p->cfg->gateway = 0;
        } else if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0) {
            p->cfg->gateway = 1;
        } else {
            quote(p, q, sizeof q, s);
            fail(p, "DBOT_GATEWAY: must be 0 or 1, got %s", q);
            return DBOT_ECONFIG;
        }
    }
    return 0;
}

static int
f_token_credential(struct pctx *p, const cJSON *v, const char *key)
{
    const char *s;
    char q[64];

    if (cJSON_IsNull(v)) {
        free(p->cfg->token_credential);
        p->cfg->token_credential = NULL;
        return 0;
    }
    if (get_string(p, v, key, &s) < 0)
        return DBOT_ECONFIG;
    /* systemd credential names are file names. */
    if (!*s || strchr(s, '/') || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 ||
        has_space_or_ctl(s)) {
        quote(p, q, sizeof q, s);
        fail(p,
             "%s: must be a credential name like \"discord-token\", "
             "got %s",
             key, q);
        return DBOT_ECONFIG;
    }
    return dup_into(p, &p->cfg->token_credential, s, strlen(s));
}

/* "shard_ids" and "redis_url": parsed in config_scale.c, checked against
 * "shards" (and the environment) once everything is read. */
static int
f_shard_ids(struct pctx *p, const cJSON *v, const char *key)
{
    (void)key;
    free(p->cfg->shard_ids);
    p->cfg->shard_ids = NULL;
    p->cfg->n_shard_ids = 0;
    if (cJSON_IsNull(v))
        return 0;
    return dbot__shard_ids_parse(v, &p->cfg->shard_ids, &p->cfg->n_shard_ids,
                                 p->err, p->errlen) < 0
               ? DBOT_ECONFIG
               : 0;
}

static int
f_redis_url(struct pctx *p, const cJSON *v, const char *key)
{
    const char *s;

    if (cJSON_IsNull(v)) {
        free(p->cfg->redis_url);
        p->cfg->redis_url = NULL;
        return 0;
    }
    if (get_string(p, v, key, &s) < 0)
        return DBOT_ECONFIG;
    return dup_into(p, &p->cfg->redis_url, s, strlen(s));
}

static int
f_cache(struct pctx *p, const cJSON *v, const char *key)
{
    (void)key;
    return dbot__config_cache(v, &p->cfg->cache, p->err, p->errlen);
}

/* The fields. A NULL setter marks a plain int field: range [lo, hi], stored
 * at offset `off` of struct dbot_config. */
#define INT_FIELD(key, member, lo, hi)                          \
    {                                                           \
        key, NULL, lo, hi, offsetof(struct dbot_config, member) \
    }
static const struct field {
    const char *key;
    setter_fn set;
    long long lo, hi;
    size_t off;
} fields[] = {
    { "token", f_token, 0, 0, 0 }, /* first: parse_object relies on it */
    { "token_file", f_token_file, 0, 0, 0 },
    { "intents", f_intents, 0, 0, 0 },
    { "log_level", f_log_level, 0, 0, 0 },
    { "log_format", f_log_format, 0, 0, 0 },
    { "api_url", f_api_url, 0, 0, 0 },
    { "gateway_url", f_gateway_url, 0, 0, 0 },
    INT_FIELD("shards", shard_count, 0, 65535),
    { "shard_ids", f_shard_ids, 0, 0, 0 },
    { "redis_url", f_redis_url, 0, 0, 0 },
    INT_FIELD("workers", workers, 0, 256),
    INT_FIELD("queue_size", queue_size, 1, 1000000),
    /* Events read by the gateway thread and not yet handled by the loop
     * (a handler blocking it): past this the shards step back and resume
     * later instead of holding more in memory. */
    INT_FIELD("gateway_backlog", gateway_backlog, 10, 10000000),
    INT_FIELD("slow_handler_ms", slow_handler_ms, 1, 600000),
    /* Discord drops an interaction not acknowledged within 3 s; a deadline
     * at or past that would defer too late to help. */
    INT_FIELD("ack_deadline_ms", ack_deadline_ms, 0, 2999),
    /* Past the token's 15 minutes the error could not be shown. */
    INT_FIELD("interaction_timeout_ms", interaction_timeout_ms, 1000, 899000),
    { "max_message_bytes", f_max_message_bytes, 0, 0, 0 },
    { "compress", f_compress, 0, 0, 0 },
    { "tls_verify", f_tls_verify, 0, 0, 0 },
    { "ca_file", f_ca_file, 0, 0, 0 },
    INT_FIELD("reconnect_min_ms", reconnect_min_ms, 1, 3600000),
    INT_FIELD("reconnect_max_ms", reconnect_max_ms, 1, 3600000),
    INT_FIELD("rest_connect_timeout_ms", rest_connect_timeout_ms, 1, 600000),
    INT_FIELD("rest_timeout_ms", rest_timeout_ms, 1, 600000),
    INT_FIELD("rest_global_per_sec", rest_global_per_sec, 1, 100000),
    INT_FIELD("large_threshold", large_threshold, 50, 250),
    { "application_id", f_application_id, 0, 0, 0 },
    { "dev_guild_id", f_dev_guild_id, 0, 0, 0 },
    { "state_file", f_state_file, 0, 0, 0 },
    { "stop_mode", f_stop_mode, 0, 0, 0 },
    INT_FIELD("shutdown_grace_ms", shutdown_grace_ms, 0, 600000),
    /* Discord keeps a closed session "a few minutes"; past 15 min a resume
     * would only cost a failed attempt before identifying. */
    INT_FIELD("resume_window_s", resume_window_s, 0, 900),
    { "http_listen", f_http_listen, 0, 0, 0 },
    /* A monitoring port needs a handful of connections; the caps keep a
     * flood from taking the descriptors the gateway and REST need. */
    INT_FIELD("http_max_connections", http_max_connections, 1, 4096),
    INT_FIELD("http_max_per_ip", http_max_per_ip, 1, 4096),
    INT_FIELD("http_timeout_ms", http_timeout_ms, 100, 600000),
    { "token_credential", f_token_credential, 0, 0, 0 },
    { "gateway", f_gateway, 0, 0, 0 },
    { "interactions_listen", f_interactions_listen, 0, 0, 0 },
    { "interactions_path", f_interactions_path, 0, 0, 0 },
    { "public_key", f_public_key, 0, 0, 0 },
    /* Interaction payloads are a few KB; resolved data for a message
     * command can reach tens. The bound is per request in memory. */
    INT_FIELD("interactions_max_body", interactions_max_body, 1024, 16777216),
    /* Within the replay guard's memory (the 15-minute token life). */
    INT_FIELD("interactions_freshness_s", interactions_freshness_s, 1, 900),
    /* The handler's 3 s must fit, with the proxy's share. */
    INT_FIELD("interactions_timeout_ms", interactions_timeout_ms, 3500, 600000),
    { "cache", f_cache, 0, 0, 0 },
};
#define N_FIELDS (sizeof fields / sizeof fields[0])

const char *
dbot__config_field_name(size_t i)
{
    return i < N_FIELDS ? fields[i].key : NULL;
}

static void
warn_unknown(const struct pctx *p, const char *key)
{
    const char *hint = NULL;
    size_t best = 3;
    char q[64];

    for (size_t i = 0; i < N_FIELDS; i++) {
        size_t d = dbot__cfgtext_distance(key, fields[i].key);
        if (d < best) {
            best = d;
            hint = fields[i].key;
        }
    }
    quote(p, q, sizeof q, key);
    if (hint)
        LOG_W("config", "unknown field %s ignored (did you mean \"%s\"?)", q,
              hint);
    else
        LOG_W("config", "unknown field %s ignored", q);
}

/* ---- environment ------------------------------------------------------ */

/* The token from a systemd credential (LoadCredential=discord-token:...),
 * which lands in $CREDENTIALS_DIRECTORY readable only by the service. It
 * wins over the config file: the unit file is the deployment's choice.
 * The default name may be absent (the token then comes from the config);
 * a name the config asked for must exist. */
static int
apply_credential(struct pctx *p, dbot__env_fn env)
{
    const char *dir = env("CREDENTIALS_DIRECTORY");
    const char *name = p->cfg->token_credential;
    bool explicit_name = name != NULL;
    char path[4096], ferr[256] = "", q[64];
    char *text;
    int rc;

    if (!name)
        name = DBOT__DEFAULT_CREDENTIAL;
    quote(p, q, sizeof q, name);
    if (!dir || !*dir) {
        if (explicit_name) {
            fail(p,
                 "token_credential: $CREDENTIALS_DIRECTORY is not set "
                 "(is the unit missing LoadCredential= for %s?)",
                 q);
            return DBOT_ECONFIG;
        }
        return 0;
    }
    if (!p->read_file) {
        if (!explicit_name)
            return 0;
        fail(p, "token_credential: not allowed here; use \"token\" or "
                "DISCORD_TOKEN");
        return DBOT_ECONFIG;
    }
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >=
        sizeof path) {
        fail(p, "token_credential: $CREDENTIALS_DIRECTORY is too long");
        return DBOT_ECONFIG;
    }
    text = p->read_file(path, ferr, sizeof ferr);
    if (!text) {
        if (!explicit_name)
            return 0;
        fail(p, "token_credential: cannot read credential %s: %s", q,
             ferr[0] ? ferr : "unknown error");
        return DBOT_ECONFIG;
    }
    rc = set_token(p, "credential", text);
    explicit_bzero(text, strlen(text));
    free(text);
    return rc;
}

static int
apply_env(struct pctx *p, dbot__env_fn env)
{
    const char *s;

    if (!env)
        return 0;
    s = env("DISCORD_TOKEN");
    if (s && *s) {
        /* The environment wins over the file, so a deployment can keep the
         * secret out of the config entirely. */
        if (set_token(p, "DISCORD_TOKEN", s) < 0)
            return DBOT_ECONFIG;
    }
    if (!(s && *s) && apply_credential(p, env) < 0)
        return DBOT_ECONFIG;
    s = env("DBOT_API_URL");
    if (s && *s) {
        if (set_url(p, "DBOT_API_URL", s, http_schemes, "http:// or https://",
                    true, &p->cfg->api_url) < 0)
            return DBOT_ECONFIG;
        free(p->cfg->gateway_url);
        p->cfg->gateway_url = NULL;
    }
    s = env("DBOT_LOG_LEVEL");
    if (s && *s) {
        int lvl = dbot_log_level_parse(s);
        if (lvl < 0) {
            char q[64];
            quote(p, q, sizeof q, s);
            fail(p,
                 "DBOT_LOG_LEVEL: must be one of error, warn, info, "
                 "debug, trace; got %s",
                 q);
            return DBOT_ECONFIG;
        }
        p->cfg->log_level = lvl;
    }
    return apply_interactions_env(p, env);
}

/* ---- parse ------------------------------------------------------------ */

static int
parse_object(struct pctx *p, const cJSON *root)
{
    bool seen[N_FIELDS] = { false };
    const cJSON *tok;
    int rc;

    /* The token first, so the logger redacts it from everything below
     * (fields[0] is "token"). */
    tok = cJSON_GetObjectItemCaseSensitive(root, "token");
    if (tok) {
        if (cJSON_IsString(tok) && tok->valuestring)
            p->token_seen = tok->valuestring;
        seen[0] = true;
        rc = fields[0].set(p, tok, fields[0].key);
        if (rc < 0)
            return rc;
    }
    for (const cJSON *m = root->child; m; m = m->next) {
        const char *key = m->string ? m->string : "";
        size_t i;

        if (m == tok)
            continue;

        for (i = 0; i < N_FIELDS; i++)
            if (strcmp(key, fields[i].key) == 0)
                break;
        if (i == N_FIELDS) {
            warn_unknown(p, key);
            continue;
        }
        if (seen[i]) {
            fail(p, "%s: appears more than once", fields[i].key);
            return DBOT_ECONFIG;
        }
        seen[i] = true;
        if (fields[i].set)
            rc = fields[i].set(p, m, fields[i].key);
        else
            rc = set_int_field(p, m, fields[i].key, fields[i].lo, fields[i].hi,
                               (int *)(void *)((char *)p->cfg + fields[i].off));
        if (rc < 0)
            return rc;
    }
    if (p->cfg->reconnect_max_ms < p->cfg->reconnect_min_ms) {
        fail(p,
             "reconnect_max_ms: must be at least reconnect_min_ms (%d), "
             "got %d",
             p->cfg->reconnect_min_ms, p->cfg->reconnect_max_ms);
        return DBOT_ECONFIG;
    }
    return 0;
}

/* cJSON reads strings up to a NUL, so a NUL byte would end the file early
 * and "\u0000" would end a value early, each silently dropping what
 * follows (a token cut short, a path shortened). Refuse both. */
static int
check_no_nul(struct pctx *p, const char *json, size_t len)
{
    bool in_str = false;

    for (size_t i = 0; i < len; i++) {
        if (json[i] == '\0') {
            fail(p,
                 "contains a NUL byte (byte %zu); save the file as plain "
                 "UTF-8 text",
                 i + 1);
            return DBOT_ECONFIG;
        }
        if (json[i] == '"') {
            in_str = !in_str;
        } else if (in_str && json[i] == '\\' && i + 1 < len) {
            if (len - i >= 6 && memcmp(json + i + 1, "u0000", 5) == 0) {
                fail(p,
                     "\"\\u0000\" in a string (byte %zu): strings must "
                     "not contain NUL characters",
                     i + 1);
                return DBOT_ECONFIG;
            }
            i++; /* the escaped character, maybe a quote */
        }
    }
    return 0;
}

int
dbot__config_parse(struct dbot_config *cfg, const char *json, size_t len,
                   dbot__env_fn env, dbot__read_file_fn read_file, char *err,
                   size_t errlen)
{
    struct pctx p = {
        .cfg = cfg, .err = err, .errlen = errlen, .read_file = read_file
    };
    const char *end = NULL;
    cJSON *root = NULL;
    int rc = 0;

    if (err && errlen)
        err[0] = '\0';
    dbot__config_defaults(cfg);
    cfg->api_url = strdup(DBOT_DEFAULT_API_URL);
    cfg->interactions_path = strdup("/interactions");
    if (!cfg->api_url || !cfg->interactions_path) {
        fail(&p, "out of memory");
        dbot__config_free(cfg);
        return DBOT_ECONFIG;
    }
    if (env) {
        /* Registered before parsing so warnings below cannot show it. */
        const char *t = env("DISCORD_TOKEN");
        if (t && *t) {
            p.env_token = t;
            if (dbot_log_add_secret(t) < 0) {
                fail(&p, "out of memory");
                rc = DBOT_ECONFIG;
                goto out;
            }
        }
    }
    if (json && len > 0) {
        rc = check_no_nul(&p, json, len);
        if (rc < 0)
            goto out;
        root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
        if (!root) {
            size_t off = end && end >= json ? (size_t)(end - json) : 0;
            fail(&p, "not valid JSON (near byte %zu)", off);
            rc = DBOT_ECONFIG;
            goto out;
        }
        for (; end && (size_t)(end - json) < len; end++) {
            if (!isspace((unsigned char)*end)) {
                fail(&p, "unexpected text after the JSON object (byte %zu)",
                     (size_t)(end - json));
                rc = DBOT_ECONFIG;
                goto out;
            }
        }
        if (!cJSON_IsObject(root)) {
            fail(&p, "the configuration must be a JSON object {...}");
            rc = DBOT_ECONFIG;
            goto out;
        }
        rc = parse_object(&p, root);
        if (rc < 0)
            goto out;
    }
    rc = apply_env(&p, env);
    if (rc == 0)
        rc = dbot__config_scale_env(cfg, env, err, errlen);
out:
    if (rc < 0) {
        dbot__cfgtext_scrub(err, errlen, p.token_seen);
        dbot__cfgtext_scrub(err, errlen, cfg->token);
        if (env)
            dbot__cfgtext_scrub(err, errlen, env("DISCORD_TOKEN"));
        dbot__config_free(cfg);
        rc = DBOT_ECONFIG;
    }
    cJSON_Delete(root);
    return rc;
}

int
dbot__config_validate_for_run(const struct dbot_config *cfg, char *err,
                              size_t errlen)
{
    if (!cfg->token || !*cfg->token) {
        if (err && errlen)
            snprintf(err, errlen,
                     "no token: set \"token\" or \"token_file\" in the "
                     "config, or DISCORD_TOKEN");
        return DBOT_ECONFIG;
    }
    if (cfg->interactions_port >= 0 && !cfg->public_key) {
        if (err && errlen)
            snprintf(err, errlen,
                     "interactions_listen needs public_key (or "
                     "DISCORD_PUBLIC_KEY): the Developer Portal's Public Key, "
                     "to verify each request");
        return DBOT_ECONFIG;
    }
    if (!cfg->gateway && cfg->interactions_port < 0) {
        if (err && errlen)
            snprintf(err, errlen,
                     "gateway is false but interactions_listen is not set: "
                     "the bot would receive nothing");
        return DBOT_ECONFIG;
    }
    return 0;
}
