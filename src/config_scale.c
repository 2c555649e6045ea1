/*
 * config_scale.c: "shard_ids", "redis_url" and their environment
 * overrides. See config_scale.h.
 */
#include "config_scale.h"

#include "log.h"
#include "redis_url.h"

#include <dbot/dbot.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SHARD_ID 65534 /* "shards" is at most 65535 */

static int
fail(char *err, size_t errlen, int rc, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
    return rc;
}

static int
cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;

    return (x > y) - (x < y);
}

/* Sort and refuse duplicates. */
static int
finish(const char *key, int *v, int n, char *err, size_t errlen)
{
    qsort(v, (size_t)n, sizeof *v, cmp_int);
    for (int i = 1; i < n; i++)
        if (v[i] == v[i - 1]) {
            if (err && errlen)
                snprintf(err, errlen, "%s: shard %d is listed twice", key,
                         v[i]);
            return DBOT_ECONFIG;
        }
    return 0;
}

/* A decimal shard id at *s; advances *s. */
static int
read_id(const char **s, int *out)
{
    long v = 0;
    const char *p = *s;

    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (*p - '0');
        if (v > MAX_SHARD_ID)
            return -1;
    }
    *s = p;
    *out = (int)v;
    return 0;
}

static int
push(int **v, int *n, int *cap, int id)
{
    if (*n == *cap) {
        int nc = *cap ? *cap * 2 : 16;
        int *nv = realloc(*v, (size_t)nc * sizeof *nv);
        if (!nv)
            return DBOT_ENOMEM;
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = id;
    return 0;
}

static int
parse_text(const char *key, const char *s, int **ids, int *n, char *err,
           size_t errlen)
{
    int *v = NULL, cnt = 0, cap = 0, lo, hi, rc = 0;

    while (rc == 0) {
        while (*s == ' ')
            s++;
        if (read_id(&s, &lo) < 0) {
            rc = DBOT_ECONFIG;
            break;
        }
        hi = lo;
        if (*s == '-') {
            s++;
            if (read_id(&s, &hi) < 0 || hi < lo) {
                rc = DBOT_ECONFIG;
                break;
            }
        }
        for (int id = lo; id <= hi && rc == 0; id++)
            rc = push(&v, &cnt, &cap, id);
        while (*s == ' ')
            s++;
        if (*s == '\0')
            break;
        if (*s++ != ',')
            rc = DBOT_ECONFIG;
    }
    if (rc == DBOT_ECONFIG && err && errlen)
        snprintf(err, errlen,
                 "%s: must be \"first-last\" (e.g. \"0-15\") or shard ids and "
                 "ranges separated by commas, each 0-%d, ranges ascending",
                 key, MAX_SHARD_ID);
    if (rc == 0)
        rc = finish(key, v, cnt, err, errlen);
    if (rc < 0) {
        free(v);
        return rc;
    }
    *ids = v;
    *n = cnt;
    return 0;
}

int
dbot__shard_ids_parse_text(const char *s, int **ids, int *n, char *err,
                           size_t errlen)
{
    return parse_text("DBOT_SHARD_IDS", s, ids, n, err, errlen);
}

int
dbot__shard_ids_parse(const cJSON *v, int **ids, int *n, char *err,
                      size_t errlen)
{
    int *out, cnt = 0, rc;
    const cJSON *e;

    if (cJSON_IsString(v) && v->valuestring)
        return parse_text("shard_ids", v->valuestring, ids, n, err, errlen);
    if (!cJSON_IsArray(v))
        return fail(err, errlen, DBOT_ECONFIG,
                    "shard_ids: must be an array of shard ids or a string "
                    "\"first-last\"");
    out = malloc(((size_t)cJSON_GetArraySize(v) + 1) * sizeof *out);
    if (!out)
        return DBOT_ENOMEM;
    cJSON_ArrayForEach(e, v) {
        if (!cJSON_IsNumber(e) || e->valuedouble < 0 ||
            e->valuedouble > MAX_SHARD_ID ||
            e->valuedouble != (double)(int)e->valuedouble) {
            if (err && errlen)
                snprintf(err, errlen,
                         "shard_ids[%d]: must be an integer between 0 and %d",
                         cnt, MAX_SHARD_ID);
            free(out);
            return DBOT_ECONFIG;
        }
        out[cnt++] = (int)e->valuedouble;
    }
    if (cnt == 0) {
        free(out);
        return fail(err, errlen, DBOT_ECONFIG,
                    "shard_ids: empty; leave it out to run every shard");
    }
    rc = finish("shard_ids", out, cnt, err, errlen);
    if (rc < 0) {
        free(out);
        return rc;
    }
    *ids = out;
    *n = cnt;
    return 0;
}

static int
env_shards(struct dbot_config *cfg, const char *s, char *err, size_t errlen)
{
    int id;
    const char *p = s;

    /* "0" is allowed: Discord's recommendation. */
    if (read_id(&p, &id) < 0 || *p) {
        if (err && errlen)
            snprintf(err, errlen,
                     "DBOT_SHARDS: must be an integer between 0 and 65535, "
                     "got \"%.32s\"",
                     s);
        return DBOT_ECONFIG;
    }
    cfg->shard_count = id;
    return 0;
}

int
dbot__config_scale_env(struct dbot_config *cfg,
                       const char *(*env)(const char *name), char *err,
                       size_t errlen)
{
    struct dbot__redis_addr a;
    const char *s;
    char why[256];
    int rc;

    s = env ? env("DBOT_SHARDS") : NULL;
    if (s && *s && env_shards(cfg, s, err, errlen) < 0)
        return DBOT_ECONFIG;
    s = env ? env("DBOT_SHARD_IDS") : NULL;
    if (s && *s) {
        int *ids, n;

        rc = dbot__shard_ids_parse_text(s, &ids, &n, err, errlen);
        if (rc < 0)
            return DBOT_ECONFIG;
        free(cfg->shard_ids);
        cfg->shard_ids = ids;
        cfg->n_shard_ids = n;
    }
    s = env ? env("DBOT_REDIS_URL") : NULL;
    if (s && *s) {
        char *copy = strdup(s);
        if (!copy)
            return fail(err, errlen, DBOT_ECONFIG, "out of memory");
        free(cfg->redis_url);
        cfg->redis_url = copy;
    }
    if (cfg->shard_ids) {
        if (cfg->shard_count == 0)
            return fail(err, errlen, DBOT_ECONFIG,
                        "shard_ids: needs \"shards\" (or DBOT_SHARDS), the "
                        "bot's total shard count: processes that each asked "
                        "Discord could disagree on it");
        if (cfg->shard_ids[cfg->n_shard_ids - 1] >= cfg->shard_count) {
            if (err && errlen)
                snprintf(err, errlen,
                         "shard_ids: shard %d is out of range: the bot has "
                         "%d shards (0-%d)",
                         cfg->shard_ids[cfg->n_shard_ids - 1], cfg->shard_count,
                         cfg->shard_count - 1);
            return DBOT_ECONFIG;
        }
    }
    if (cfg->redis_url) {
        if (dbot__redis_url_parse(cfg->redis_url, &a, why, sizeof why) < 0) {
            if (err && errlen)
                snprintf(err, errlen, "redis_url: %s", why);
            return DBOT_ECONFIG;
        }
        if (a.password[0] && dbot_log_add_secret(a.password) < 0)
            return fail(err, errlen, DBOT_ECONFIG, "out of memory");
        explicit_bzero(a.password, sizeof a.password);
    }
    return 0;
}

static int
b64_val(char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+' || ch == '-')
        return 62;
    if (ch == '/' || ch == '_')
        return 63;
    return -1;
}

uint64_t
dbot__config_app_id(const struct dbot_config *cfg)
{
    char digits[32];
    size_t nd = 0;
    unsigned acc = 0;
    int bits = 0;
    uint64_t id = 0;

    if (cfg->application_id)
        return cfg->application_id;
    if (!cfg->token)
        return 0;
    for (const char *p = cfg->token; *p && *p != '.' && *p != '='; p++) {
        int v = b64_val(*p);
        if (v < 0)
            return 0;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (nd + 1 >= sizeof digits)
                return 0;
            digits[nd++] = (char)((acc >> bits) & 0xff);
        }
    }
    if (nd == 0 || nd > 20)
        return 0;
    for (size_t i = 0; i < nd; i++) {
        if (digits[i] < '0' || digits[i] > '9')
            return 0;
        id = id * 10 + (uint64_t)(digits[i] - '0');
    }
    return id;
}
