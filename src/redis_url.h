/*
 * redis_url.h: the "redis_url" setting (pure): redis://[:password@]host
 * [:port][/db] or unix:///path[?db=N]. rediss:// is refused with the reason:
 * Debian 12's hiredis (0.14.1) has no TLS (hiredis_ssl arrived in 1.0).
 */
#ifndef DBOT_SRC_REDIS_URL_H
#define DBOT_SRC_REDIS_URL_H

#include <stddef.h>

struct dbot__redis_addr {
    char host[256];     /* TCP host, no brackets; "" for a unix socket */
    int port;           /* TCP port, 6379 by default */
    char path[108];     /* unix socket path, "" for TCP */
    char password[256]; /* AUTH password, "" for none; a secret */
    int db;             /* SELECT index, 0 by default */
};

/* Name: dbot__redis_url_parse
 * Desc: split `url` into *out. Never copies the password into `err`.
 * Returns: 0, or DBOT_EINVAL with a message in err naming what is wrong. */
int dbot__redis_url_parse(const char *url, struct dbot__redis_addr *out,
                          char *err, size_t errlen);

#endif
