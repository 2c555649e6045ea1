/*
 * http_request.h: what the /healthz and /metrics listener answers to a
 * request, decided from the request alone. Pure (no sockets, no lws, no
 * clock), so the fuzzer and the unit tests call it directly; http.c fills
 * the request from what lws parsed and acts on the verdict.
 */
#ifndef DBOT_SRC_HTTP_REQUEST_H
#define DBOT_SRC_HTTP_REQUEST_H

#include <stddef.h>

#define DBOT__HTTP_PATH_MAX 255 /* longer paths are answered 414 */

/* A request as parsed. Strings are borrowed for the call and need not be
 * NUL-terminated; a NULL pointer is an absent part. */
struct dbot__http_req {
    const char *method; /* "GET", "HEAD", ...; NULL: not one lws knows */
    size_t method_len;
    const char *uri; /* the request target, query string included */
    size_t uri_len;
    const char *upgrade; /* the Upgrade header's value */
    size_t upgrade_len;
    long long content_length; /* -1: no Content-Length header; -2: one
                                 that is not a plain decimal number */
    int chunked;              /* a Transfer-Encoding header is present */
    size_t max_body;          /* 0: no bodies (no POST); else POST bodies
                                 up to this many bytes are read */
};

/* What to do. Either serve `path` (status 0) or answer `status` with the
 * static `body` and, if `close`, close the connection after it. */
struct dbot__http_verdict {
    int status;       /* 0: serve; else 400, 405 or 414 */
    const char *body; /* static text for status != 0 */
    int head;         /* HEAD: headers only */
    int close;        /* do not keep the connection for another request */
    int post;         /* status 0: a POST whose body_len bytes follow */
    size_t body_len;
    const char *path; /* status 0: the path, into req->uri, no query */
    size_t path_len;  /* 1..DBOT__HTTP_PATH_MAX, no NUL or '?' inside */
};

/* Decide. Every request gets a verdict; none is ever an upgrade: an
 * Upgrade header (WebSocket, h2c, anything) is answered 400 and the
 * connection closed, since this port only serves small documents and
 * an upgraded connection would be held outside every limit. So is a
 * request with a body (the listener reads none, and what follows the
 * headers could not be framed), a method other than GET or HEAD (405), or
 * a target that is not an absolute path. With max_body > 0 a POST is
 * served too when its Content-Length is at most max_body: over it 413,
 * without one (or chunked) 411, a bad one 400; each of those closes. */
void dbot__http_decide(const struct dbot__http_req *req,
                       struct dbot__http_verdict *out);

/* A Content-Length value: its number, or -2 unless it is 1*DIGIT (no
 * sign, no blanks) that fits in a long long. */
long long dbot__http_content_length(const char *v);

#endif
