/*
 * url.c: the small URL parser the gateway needs. URLs come from config and
 * from Discord (READY's resume_gateway_url), so every part is bounded.
 */
#include "url.h"

#include <dbot/dbot.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
dbot__url_parse(const char *url, struct dbot__url *out)
{
    const char *p, *host, *host_end, *port_s = NULL;
    size_t n;

    memset(out, 0, sizeof *out);
    if (!url)
        return DBOT_EINVAL;
    /* No blanks, controls or non-ASCII bytes anywhere: the path goes into
     * the request line as it is, and a CR/LF there would write headers of
     * its own (a planted resume_url is attacker-controlled text). */
    for (p = url; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
            return DBOT_EINVAL;
    if (strncasecmp(url, "wss://", 6) == 0) {
        out->tls = 1, out->port = 443, p = url + 6;
    } else if (strncasecmp(url, "https://", 8) == 0) {
        out->tls = 1, out->port = 443, p = url + 8;
    } else if (strncasecmp(url, "ws://", 5) == 0) {
        out->port = 80, p = url + 5;
    } else if (strncasecmp(url, "http://", 7) == 0) {
        out->port = 80, p = url + 7;
    } else {
        return DBOT_EINVAL;
    }
    if (*p == '[') {
        host = p + 1;
        host_end = strchr(host, ']');
        if (!host_end)
            return DBOT_EINVAL;
        p = host_end + 1;
    } else {
        host = p;
        host_end = p + strcspn(p, ":/?#");
        p = host_end;
    }
    n = (size_t)(host_end - host);
    if (n == 0 || n >= sizeof out->host)
        return DBOT_EINVAL;
    memcpy(out->host, host, n);
    if (*p == ':') {
        char *end;
        long port;

        port_s = p + 1;
        port = strtol(port_s, &end, 10);
        if (end == port_s || port <= 0 || port > 65535)
            return DBOT_EINVAL;
        out->port = (int)port;
        p = end;
    }
    if (*p && *p != '/' && *p != '?')
        return DBOT_EINVAL;
    n = strcspn(p, "#");
    if (n + 2 > sizeof out->path)
        return DBOT_EINVAL;
    if (*p != '/')
        out->path[0] = '/';
    strncat(out->path, p, n);
    return 0;
}

int
dbot__url_gateway_query(struct dbot__url *u, int compress)
{
    size_t n = strcspn(u->path, "?");
    int k;

    static const char *const mode[] = { "", "&compress=zlib-stream",
                                        "&compress=zstd-stream" };

    if (compress < 0 || compress > 2)
        return DBOT_EINVAL;
    k = snprintf(u->path + n, sizeof u->path - n, "?v=10&encoding=json%s",
                 mode[compress]);
    return k < 0 || (size_t)k >= sizeof u->path - n ? DBOT_EINVAL : 0;
}

/* Letters, digits, '-' and '.': a host name as DNS spells it (no "user@",
 * no percent escapes that would resolve elsewhere). */
static bool
is_dns_name(const char *h)
{
    for (; *h; h++)
        if (!isalnum((unsigned char)*h) && *h != '-' && *h != '.')
            return false;
    return true;
}

static bool
is_ip_literal(const char *h)
{
    unsigned char bin[16];

    return inet_pton(AF_INET, h, bin) == 1 || inet_pton(AF_INET6, h, bin) == 1;
}

/* The registrable domain of a host name: its last two labels, or three
 * when the last two look like a country's second level ("co.uk",
 * "com.au"): a two-letter top level under a label of at most three. */
static const char *
registrable(const char *h)
{
    const char *last = NULL, *second = NULL, *third = NULL;

    for (size_t i = strlen(h); i-- > 0;) {
        if (h[i] != '.')
            continue;
        if (!last) {
            last = h + i;
        } else if (!second) {
            second = h + i;
        } else {
            third = h + i;
            break;
        }
    }
    if (!second)
        return h;
    if (strlen(last + 1) == 2 && last - second - 1 <= 3)
        return third ? third + 1 : h;
    return second + 1;
}

int
dbot__url_same_site(const char *url, const char *ref)
{
    struct dbot__url a, b;
    size_t sa, sb, la, ld;
    const char *dom;

    if (dbot__url_parse(url, &a) < 0 || dbot__url_parse(ref, &b) < 0)
        return 0;
    sa = strcspn(url, ":");
    sb = strcspn(ref, ":");
    if (sa != sb || strncasecmp(url, ref, sa) != 0)
        return 0;
    if (is_ip_literal(b.host) || !strchr(b.host, '.') || !is_dns_name(b.host))
        return strcasecmp(a.host, b.host) == 0;
    if (!is_dns_name(a.host))
        return 0;
    dom = registrable(b.host);
    la = strlen(a.host);
    ld = strlen(dom);
    if (la == ld)
        return strcasecmp(a.host, dom) == 0;
    return la > ld && a.host[la - ld - 1] == '.' &&
           strcasecmp(a.host + la - ld, dom) == 0;
}
