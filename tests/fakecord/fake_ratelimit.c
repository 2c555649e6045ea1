/*
 * fake_ratelimit.c: per-route buckets and the global limit (see the design
 * note in fake_ratelimit.h).
 */
#include "fake_ratelimit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FC_MAX_SEGS 16

/* Split "/a/b/c" into segment [start,len) pairs; returns the count. */
static int
split_path(const char *p, const char **seg, size_t *len, int max)
{
    int n = 0;

    while (*p) {
        const char *e;

        while (*p == '/')
            p++;
        if (!*p)
            break;
        e = strchr(p, '/');
        if (!e)
            e = p + strlen(p);
        if (n == max)
            return -1;
        seg[n] = p;
        len[n] = (size_t)(e - p);
        n++;
        p = e;
    }
    return n;
}

static int
seg_is(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && !memcmp(s, lit, n);
}

/* Does `path` match template `tmpl`? */
static int
route_matches(const char *tmpl, const char *path)
{
    const char *ts[FC_MAX_SEGS], *ps[FC_MAX_SEGS];
    size_t tl[FC_MAX_SEGS], pl[FC_MAX_SEGS];
    int nt = split_path(tmpl, ts, tl, FC_MAX_SEGS);
    int np = split_path(path, ps, pl, FC_MAX_SEGS);

    if (nt < 0 || np != nt)
        return 0;
    for (int i = 0; i < nt; i++) {
        if (tl[i] >= 2 && ts[i][0] == '{' && ts[i][tl[i] - 1] == '}')
            continue;
        if (tl[i] != pl[i] || memcmp(ts[i], ps[i], tl[i]))
            return 0;
    }
    return 1;
}

/* The major parameters of `path`, written as "/v1/v2" into buf. */
static void
major_params(const char *path, char *buf, size_t cap)
{
    const char *s[FC_MAX_SEGS];
    size_t l[FC_MAX_SEGS];
    int n = split_path(path, s, l, FC_MAX_SEGS);
    int majors = 0;

    buf[0] = '\0';
    if (n < 2)
        return;
    if (seg_is(s[0], l[0], "channels") || seg_is(s[0], l[0], "guilds"))
        majors = 1;
    else if (seg_is(s[0], l[0], "webhooks") ||
             seg_is(s[0], l[0], "interactions"))
        majors = n >= 3 ? 2 : 1;
    for (int i = 1; i <= majors; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, cap - used, "/%.*s", (int)l[i], s[i]);
    }
}

static int
global_exempt(const char *path)
{
    return !strncmp(path, "/interactions/", 14) ||
           !strncmp(path, "/webhooks/", 10);
}

int
fc_rl_set_route(struct fc_rl *rl, const char *method, const char *tmpl,
                const char *hash, int limit, int window_ms)
{
    struct fc_rl_route **pp = &rl->routes, *r;

    for (; *pp; pp = &(*pp)->next) {
        if (!strcmp((*pp)->method, method) && !strcmp((*pp)->tmpl, tmpl)) {
            r = *pp;
            *pp = r->next;
            free(r->tmpl);
            free(r->hash);
            free(r);
            break;
        }
    }
    if (limit <= 0)
        return 0;
    r = calloc(1, sizeof *r);
    if (!r)
        return -1;
    snprintf(r->method, sizeof r->method, "%s", method);
    r->tmpl = strdup(tmpl);
    r->hash = strdup(hash ? hash : tmpl);
    if (!r->tmpl || !r->hash) {
        free(r->tmpl);
        free(r->hash);
        free(r);
        return -1;
    }
    r->limit = limit;
    r->window_ms = window_ms > 0 ? window_ms : 1000;
    r->next = rl->routes;
    rl->routes = r;
    return 0;
}

static struct fc_rl_bucket *
bucket_get(struct fc_rl *rl, const char *key, int limit)
{
    struct fc_rl_bucket *b;

    for (b = rl->buckets; b; b = b->next)
        if (!strcmp(b->key, key))
            return b;
    b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->key = strdup(key);
    if (!b->key) {
        free(b);
        return NULL;
    }
    b->limit = limit;
    b->remaining = limit;
    b->reset_ms = -1;
    b->next = rl->buckets;
    rl->buckets = b;
    return b;
}

void
fc_rl_check(struct fc_rl *rl, const char *method, const char *path,
            int64_t now_ms, struct fc_rl_verdict *out)
{
    struct fc_rl_route *r;
    struct fc_rl_bucket *b = NULL;
    char key[512], major[256];

    memset(out, 0, sizeof *out);
    for (r = rl->routes; r; r = r->next)
        if (!strcmp(r->method, method) && route_matches(r->tmpl, path))
            break;
    if (r) {
        major_params(path, major, sizeof major);
        snprintf(key, sizeof key, "%s:%s", r->hash, major);
        b = bucket_get(rl, key, r->limit);
    }
    if (b) {
        if (b->reset_ms >= 0 && now_ms >= b->reset_ms) {
            b->remaining = r->limit;
            b->reset_ms = -1;
        }
        b->limit = r->limit;
        out->has_bucket = 1;
        out->hash = r->hash;
        out->limit = b->limit;
    }

    /* Global first: Discord refuses globally before looking at routes. */
    if (rl->global_per_s > 0 && !global_exempt(path)) {
        if (now_ms - rl->g_start_ms >= 1000) {
            rl->g_start_ms = now_ms;
            rl->g_count = 0;
        }
        if (rl->g_count >= rl->global_per_s) {
            out->verdict = FC_RL_GLOBAL;
            out->reset_after_ms = rl->g_start_ms + 1000 - now_ms;
            if (b)
                out->remaining = b->remaining;
            return;
        }
    }
    if (b) {
        if (b->remaining <= 0) {
            out->verdict = FC_RL_BUCKET;
            out->remaining = 0;
            out->reset_after_ms = b->reset_ms - now_ms;
            return;
        }
        if (b->reset_ms < 0)
            b->reset_ms = now_ms + r->window_ms;
        b->remaining--;
        out->remaining = b->remaining;
        out->reset_after_ms = b->reset_ms - now_ms;
    }
    if (rl->global_per_s > 0 && !global_exempt(path))
        rl->g_count++;
    out->verdict = FC_RL_OK;
}

void
fc_rl_free(struct fc_rl *rl)
{
    while (rl->routes) {
        struct fc_rl_route *r = rl->routes;
        rl->routes = r->next;
        free(r->tmpl);
        free(r->hash);
        free(r);
    }
    while (rl->buckets) {
        struct fc_rl_bucket *b = rl->buckets;
        rl->buckets = b->next;
        free(b->key);
        free(b);
    }
}
