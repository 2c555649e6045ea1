/*
 * http.h: a tiny HTTP/1.1 server on the bot's own lws context (a vhost per
 * listener): /healthz and /metrics (GET and HEAD, each answer computed on
 * the loop thread when the request arrives), and the interactions endpoint
 * (http_ix.c), which also takes POSTs with a bounded body and may answer
 * them later, from the loop.
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

/* A POST handler reads at most this many request headers, each value at
 * most DBOT__HTTP_HDR_VALUE_MAX bytes. */
#define DBOT__HTTP_HDR_MAX       4
#define DBOT__HTTP_HDR_VALUE_MAX 256

/* One POST waiting for its answer. */
struct dbot__http_exchange;

/* A POST to `path` whose body was read whole: `len` bytes at `body`
 * (body[len] is a NUL the client did not send). hdr[i] is the value of
 * opts.post_headers[i], or NULL when absent or too long. All borrowed for
 * the call. The handler answers x with dbot__http_answer(), during the
 * call or later; one that answers later must first dbot__http_watch(x),
 * since the client may go away meanwhile. Loop thread. */
typedef void (*dbot__http_post_fn)(void *ud, struct dbot__http_exchange *x,
                                   const char *path, const char *const *hdr,
                                   const char *body, size_t len);

enum dbot__http_outcome {
    DBOT__HTTP_SENT, /* the whole answer was handed to the socket */
    DBOT__HTTP_LOST, /* the connection ended before that */
};
typedef void (*dbot__http_watch_fn)(void *arg, enum dbot__http_outcome o);

/* Be told once, later, what became of x (never during this call). x is
 * freed right after fn returns: neither answer nor watch it again. A
 * second watch replaces the first. Loop thread. */
void dbot__http_watch(struct dbot__http_exchange *x, dbot__http_watch_fn fn,
                      void *arg);

/* Answer x with `status`, content type `ctype` (static) and `body`
 * (taken over; NULL for none). The answer leaves from the loop's next
 * writable turn. Returns 0, or DBOT_ESTATE when x was answered already
 * (body freed). Loop thread. */
int dbot__http_answer(struct dbot__http_exchange *x, int status,
                      const char *ctype, char *body, size_t len);

struct dbot__http_opts {
    const char *host;    /* a numeric IPv4 or IPv6 address */
    int port;            /* 0: any free port; see dbot__http_port */
    int max_connections; /* open connections kept; more get 503 */
    int max_per_ip;      /* the same per client address */
    int timeout_ms;      /* each request, from its first byte (or the end
                            of the previous answer) to the end of its
                            answer; idle keep-alive too */
    /* POSTs: off unless post_fn is set. */
    dbot__http_post_fn post_fn;
    size_t max_body; /* bigger bodies are answered 413 */
    const char *post_headers[DBOT__HTTP_HDR_MAX]; /* names, lower case,
                                                     ending in ':' */
    const char *what; /* what the listener serves, for its log lines */
};

/* Answers counted by status: the codes this server gives, then "other". */
#define DBOT__HTTP_STATUS_SLOTS 14
/* The status of slot i (0 for the last, "other"). */
int dbot__http_status_of_slot(int i);

/* Counters for /metrics; loop thread. */
struct dbot__http_stats {
    int open;                         /* connections now */
    unsigned long long accepted;      /* connections served */
    unsigned long long refused_busy;  /* over max_connections/max_per_ip */
    unsigned long long refused_fds;   /* would have used a reserved fd */
    unsigned long long timeouts;      /* closed at their deadline */
    unsigned long long accept_errors; /* accept() failures (paused) */
    unsigned long long by_status[DBOT__HTTP_STATUS_SLOTS]; /* answers */
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
