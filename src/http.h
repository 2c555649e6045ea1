/*
 * http.h: a tiny HTTP/1.1 server on the bot's own lws context (a second
 * vhost), for /healthz and /metrics. GET and HEAD only; each answer is
 * computed on the loop thread when the request arrives.
 *
 * The listener must never cost the bot its gateway: connections are capped
 * (in all and per client address), every connection has a deadline, no
 * upgrade is accepted, it never takes one of the process's last file
 * descriptors, and a failing accept() pauses it instead of spinning.
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

struct dbot__http_opts {
    const char *host;    /* a numeric IPv4 or IPv6 address */
    int port;            /* 0: any free port; see dbot__http_port */
    int max_connections; /* open connections kept; more get 503 */
    int max_per_ip;      /* the same per client address */
    int timeout_ms;      /* each request, from its first byte (or the end
                            of the previous answer) to the end of its
                            answer; idle keep-alive too */
};

/* Counters for /metrics; loop thread. */
struct dbot__http_stats {
    int open;                         /* connections now */
    unsigned long long accepted;      /* connections served */
    unsigned long long refused_busy;  /* over max_connections/max_per_ip */
    unsigned long long refused_fds;   /* would have used a reserved fd */
    unsigned long long timeouts;      /* closed at their deadline */
    unsigned long long accept_errors; /* accept() failures (paused) */
};

/* Listen as `opts` says (borrowed for the call) on the loop's context.
 * Loop thread, while the loop runs or before it starts. Returns 0,
 * DBOT_EIO (cannot bind; logged), DBOT_EINVAL (not a numeric address) or
 * DBOT_ENOMEM. */
int dbot__http_start(struct dbot__http **out, struct lws_context *ctx,
                     const struct dbot__http_opts *opts,
                     dbot__http_handler_fn fn, void *ud);

/* The port actually bound. */
int dbot__http_port(const struct dbot__http *h);

/* Fill *out. Loop thread. */
void dbot__http_stats(const struct dbot__http *h, struct dbot__http_stats *out);

/* Stop listening and free. Requests in progress are dropped. NULL is a
 * no-op. Loop thread, before the context is destroyed. */
void dbot__http_stop(struct dbot__http *h);

/* Raise the soft RLIMIT_NOFILE toward the hard limit (at most 65536), so a
 * default of 1024 does not cap a busy bot. Call before the lws context is
 * created: lws sizes its tables from the limit then. Returns the soft
 * limit in force. Any thread; process-wide. */
int dbot__http_raise_fd_limit(void);

#endif
