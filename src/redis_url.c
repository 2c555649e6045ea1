/*
 * redis_url.c: parse the "redis_url" setting. See redis_url.h.
 */
#include "redis_url.h"

#include <dbot/dbot.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
bad(char *err, size_t errlen, const char *why)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", why);
    return DBOT_EINVAL;
}

/* A decimal in [lo, hi] filling s[0..n). */
static int
number(const char *s, size_t n, int lo, int hi, int *out)
{
    long v = 0;

    if (n == 0 || n > 6)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

static int
parse_unix(const char *rest, struct dbot__redis_addr *out, char *err,
           size_t errlen)
{
    const char *q = strchr(rest, '?');
    size_t n = q ? (size_t)(q - rest) : strlen(rest);

    if (n == 0 || rest[0] != '/')
        return bad(err, errlen, "unix:// needs an absolute socket path");
    if (n >= sizeof out->path)
        return bad(err, errlen, "the socket path is too long");
    memcpy(out->path, rest, n);
    out->path[n] = '\0';
    if (q && (strncmp(q, "?db=", 4) != 0 ||
              number(q + 4, strlen(q + 4), 0, 65535, &out->db) < 0))
        return bad(err, errlen, "after the socket path only ?db=N is allowed");
    return 0;
}

static int
parse_tcp(const char *rest, struct dbot__redis_addr *out, char *err,
          size_t errlen)
{
    const char *at = strrchr(rest, '@'), *slash, *host, *colon, *hend;

    if (at) {
        const char *pw = memchr(rest, ':', (size_t)(at - rest));
        size_t n;

        /* redis://:password@ or redis://user:password@ (ACL users are
         * not supported by hiredis 0.14's AUTH; the user must be empty or
         * "default"). */
        if (!pw)
            return bad(err, errlen,
                       "the password goes after a ':' "
                       "(redis://:password@host)");
        if (pw != rest && !(pw - rest == 7 && !strncmp(rest, "default", 7)))
            return bad(err, errlen, "only the \"default\" user is supported");
        n = (size_t)(at - pw - 1);
        if (n >= sizeof out->password)
            return bad(err, errlen, "the password is too long");
        memcpy(out->password, pw + 1, n);
        out->password[n] = '\0';
        rest = at + 1;
    }
    slash = strchr(rest, '/');
    hend = slash ? slash : rest + strlen(rest);
    host = rest;
    if (*host == '[') {
        const char *rb = memchr(host, ']', (size_t)(hend - host));
        if (!rb)
            return bad(err, errlen, "unclosed '[' in the host");
        colon = rb + 1 < hend && rb[1] == ':' ? rb + 1 : NULL;
        if (!colon && rb + 1 != hend)
            return bad(err, errlen, "unexpected text after ']'");
        host++;
        hend = rb;
    } else {
        colon = memchr(host, ':', (size_t)(hend - host));
    }
    if (colon) {
        const char *pend = slash ? slash : colon + strlen(colon);
        if (number(colon + 1, (size_t)(pend - colon - 1), 1, 65535,
                   &out->port) < 0)
            return bad(err, errlen, "the port must be a number 1-65535");
        if (hend > colon)
            hend = colon;
    }
    if (hend == host)
        return bad(err, errlen, "the host is empty");
    if ((size_t)(hend - host) >= sizeof out->host)
        return bad(err, errlen, "the host is too long");
    memcpy(out->host, host, (size_t)(hend - host));
    out->host[hend - host] = '\0';
    if (slash && slash[1] &&
        number(slash + 1, strlen(slash + 1), 0, 65535, &out->db) < 0)
        return bad(err, errlen, "the database after '/' must be a number");
    return 0;
}

int
dbot__redis_url_parse(const char *url, struct dbot__redis_addr *out, char *err,
                      size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->port = 6379;
    if (!url || !*url)
        return bad(err, errlen, "empty");
    for (const char *s = url; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s == 0x7f)
            return bad(err, errlen, "contains a space or control character");
    if (strncmp(url, "rediss://", 9) == 0)
        return bad(err, errlen,
                   "rediss:// (TLS) is not supported: Debian 12's hiredis "
                   "0.14 has no TLS; use unix:///path, a private network, "
                   "or a TLS tunnel (stunnel) to redis://127.0.0.1");
    if (strncmp(url, "unix://", 7) == 0)
        return parse_unix(url + 7, out, err, errlen);
    if (strncmp(url, "redis://", 8) == 0)
        return parse_tcp(url + 8, out, err, errlen);
    return bad(err, errlen, "must start with redis:// or unix://");
}
