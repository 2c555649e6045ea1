/*
 * url.c: the small URL parser the gateway needs. URLs come from config and
 * from Discord (READY's resume_gateway_url), so every part is bounded.
 */
#include "url.h"

#include <dbot/dbot.h>

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

    k = snprintf(u->path + n, sizeof u->path - n, "?v=10&encoding=json%s",
                 compress ? "&compress=zlib-stream" : "");
    return k < 0 || (size_t)k >= sizeof u->path - n ? DBOT_EINVAL : 0;
}
