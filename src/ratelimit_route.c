/*
 * ratelimit_route.c: route keys and route classes for the rate limiter
 * (pure: strings in, strings out). See the DESIGN note in ratelimit.c for
 * what the keys mean; this file only computes them.
 */
#include "ratelimit.h"

#include "strmap.h"

#include <dbot/dbot.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct sbuf {
    char *p;
    size_t cap, len;
    bool over;
};

static void
sb_put(struct sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->over = true;
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void
sb_puts(struct sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

static bool
all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static bool
seg_is(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

static bool
method_ok(const char *m)
{
    static const char *const ok[] = { "GET", "POST", "PUT", "PATCH", "DELETE" };

    if (!m)
        return false;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(m, ok[i]) == 0)
            return true;
    return false;
}

/* Parse a path into its route template (after `key`'s current contents),
 * top id and class. Returns 0 or DBOT_EINVAL; buffer overflow is reported
 * through the sbufs' `over`. */
static int
parse_path(const char *path, struct sbuf *key, struct sbuf *top,
           unsigned *flags)
{
    const char *p, *end;
    const char *first = NULL, *prev = NULL;
    size_t first_n = 0, prev_n = 0;
    int idx = 0;
    bool major = false;

    *flags = 0;
    if (!path || path[0] != '/')
        return DBOT_EINVAL;
    end = path + strcspn(path, "?");
    for (p = path; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '#')
            return DBOT_EINVAL;
    p = path + 1;
    if (p >= end)
        return DBOT_EINVAL;
    while (p < end) {
        const char *s = p;
        size_t n = strcspn(p, "/?");

        if (s + n > end)
            n = (size_t)(end - s);
        if (n == 0)
            return DBOT_EINVAL; /* "//" or a trailing "/" */
        sb_put(key, "/", 1);
        if (idx == 0) {
            first = s;
            first_n = n;
            sb_put(key, s, n);
        } else if (idx == 1 && all_digits(s, n) &&
                   (seg_is(first, first_n, "channels") ||
                    seg_is(first, first_n, "guilds") ||
                    seg_is(first, first_n, "webhooks") ||
                    seg_is(first, first_n, "interactions"))) {
            sb_put(key, "{id}", 4);
            sb_put(top, first, first_n);
            sb_put(top, ":", 1);
            sb_put(top, s, n);
            major = true;
        } else if (idx == 2 && major &&
                   (seg_is(first, first_n, "webhooks") ||
                    seg_is(first, first_n, "interactions"))) {
            char hex[20];

            sb_put(key, "{token}", 7);
            snprintf(hex, sizeof hex, ":%016" PRIx64, dbot__fnv1a(s, n));
            sb_puts(top, hex);
            *flags |= DBOT__RL_EXEMPT | DBOT__RL_TOKEN;
        } else if (idx == 3 && (*flags & DBOT__RL_TOKEN) &&
                   seg_is(first, first_n, "interactions") &&
                   seg_is(s, n, "callback")) {
            sb_put(key, s, n);
            *flags |= DBOT__RL_INTERACTION;
        } else if (prev && seg_is(prev, prev_n, "reactions")) {
            sb_put(key, "{emoji}", 7);
        } else if (all_digits(s, n)) {
            sb_put(key, "{*}", 3);
        } else {
            sb_put(key, s, n);
        }
        prev = s;
        prev_n = n;
        idx++;
        p = s + n;
        if (p < end && *p == '/')
            p++;
        else if (p < end)
            return DBOT_EINVAL;
        if (p == end && end[-1] == '/')
            return DBOT_EINVAL;
    }
    return 0;
}

unsigned
dbot__rl_classify(const char *path)
{
    char k[DBOT__RL_KEY_MAX], t[DBOT__RL_TOP_MAX];
    struct sbuf kb = { k, sizeof k, 0, false }, tb = { t, sizeof t, 0, false };
    unsigned flags;

    k[0] = t[0] = '\0';
    if (parse_path(path, &kb, &tb, &flags) < 0)
        return 0;
    return flags;
}

int
dbot__rl_route_key_flags(const char *method, const char *path, char *key,
                         size_t keylen, char *top, size_t toplen,
                         unsigned *flags)
{
    struct sbuf kb = { key, keylen, 0, false };
    struct sbuf tb = { top, toplen, 0, false };
    int rc;

    if (!keylen || !toplen)
        return DBOT_ETOOBIG;
    key[0] = top[0] = '\0';
    if (!method_ok(method))
        return DBOT_EINVAL;
    sb_puts(&kb, method);
    sb_put(&kb, " ", 1);
    rc = parse_path(path, &kb, &tb, flags);
    if (rc < 0)
        return rc;
    if (kb.over || tb.over)
        return DBOT_ETOOBIG;
    return 0;
}

int
dbot__rl_route_key(const char *method, const char *path, char *key,
                   size_t keylen, char *top, size_t toplen)
{
    unsigned flags;

    return dbot__rl_route_key_flags(method, path, key, keylen, top, toplen,
                                    &flags);
}
