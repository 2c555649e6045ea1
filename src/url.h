/*
 * url.h: split ws://, wss://, http:// and https:// URLs (pure).
 */
#ifndef DBOT_SRC_URL_H
#define DBOT_SRC_URL_H

struct dbot__url {
    int tls;         /* wss or https */
    int port;        /* explicit, or 443/80 */
    char host[256];  /* no brackets for IPv6 literals */
    char path[1024]; /* "/" when absent; keeps the query string */
};

/* Returns 0, or DBOT_EINVAL for an unknown scheme, an empty host, a bad
 * port, or parts longer than the buffers. */
int dbot__url_parse(const char *url, struct dbot__url *out);

/* Append the gateway query (v=10, json, and compress: 0 none, 1
 * zlib-stream, 2 zstd-stream, config.h's DBOT__COMPRESS_*) to u->path,
 * replacing any query the URL had. Returns 0 or DBOT_EINVAL. */
int dbot__url_gateway_query(struct dbot__url *u, int compress);

/* May the gateway session that began on `ref` (the gateway URL from the
 * config or GET /gateway/bot) be resumed on `url`? The resume carries the
 * token, so only on the same scheme and the same registrable domain
 * (wss://gateway-us-east1-b.discord.gg for wss://gateway.discord.gg); for
 * an IP address or a one-label host (tests on 127.0.0.1) the same host.
 * Ports are not compared: they do not change whose host it is. Returns 1
 * or 0. */
int dbot__url_same_site(const char *url, const char *ref);

#endif
