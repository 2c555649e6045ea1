/*
 * http.h: a tiny HTTP/1.1 server on the bot's own lws context (a second
 * vhost), for /healthz and /metrics. GET and HEAD only; each answer is
 * computed on the loop thread when the request arrives.
 */
#ifndef DBOT_SRC_HTTP_H
#define DBOT_SRC_HTTP_H

#include <stddef.h>

struct lws_context;
struct dbot__http;

/* Answer a GET of `path` (no query string). Set *body to a malloc'd body
 * (taken over; NULL for none), *len and *ctype (a static string). Returns
 * the HTTP status. Loop thread. */
typedef int (*dbot__http_handler_fn)(void *ud, const char *path, char **body,
                                     size_t *len, const char **ctype);

/* Listen on host:port (port 0: any free port; see dbot__http_port) on the
 * loop's context. Loop thread, while the loop runs or before it starts.
 * Returns 0, DBOT_EIO (cannot bind; logged) or DBOT_ENOMEM. */
int dbot__http_start(struct dbot__http **out, struct lws_context *ctx,
                     const char *host, int port, dbot__http_handler_fn fn,
                     void *ud);

/* The port actually bound. */
int dbot__http_port(const struct dbot__http *h);

/* Stop listening and free. Requests in progress are dropped. NULL is a
 * no-op. Loop thread, before the context is destroyed. */
void dbot__http_stop(struct dbot__http *h);

#endif
