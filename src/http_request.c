/*
 * http_request.c: the listener's request decision (see http_request.h).
 *
 * The checks run from the one that would make the connection unusable
 * (an upgrade, a body we will not read) to the ones that only refuse this
 * request (method, target), so a request that breaks several rules always
 * gets the answer that also closes the connection.
 */
#include "http_request.h"

#include <limits.h>
#include <string.h>

static int
is(const char *s, size_t len, const char *want)
{
    size_t n = strlen(want);

    return s && len == n && memcmp(s, want, n) == 0;
}

/* A refused POST whose body was accepted for framing still closes: its
 * body, unread, would be taken for the next request. */
static void
refuse(struct dbot__http_verdict *v, int status, const char *body, int close)
{
    v->status = status;
    v->body = body;
    v->close = close || v->post;
    v->post = 0;
    v->body_len = 0;
}

long long
dbot__http_content_length(const char *v)
{
    long long n = 0;

    if (!v || !*v)
        return -2;
    for (; *v; v++) {
        if (*v < '0' || *v > '9' || n > (LLONG_MAX - 9) / 10)
            return -2;
        n = n * 10 + (*v - '0');
    }
    return n;
}

/* A POST on a listener that takes bodies: its length must be given, as a
 * plain number, and within the bound; otherwise it is refused before a
 * byte of the body is read, and the connection closed (the unread body
 * would be taken for the next request). */
static void
decide_post(const struct dbot__http_req *req, struct dbot__http_verdict *v)
{
    if (req->chunked || req->content_length == -1) {
        refuse(v, 411, "a Content-Length is required\n", 1);
    } else if (req->content_length < -1) {
        refuse(v, 400, "bad Content-Length\n", 1);
    } else if ((unsigned long long)req->content_length > req->max_body) {
        refuse(v, 413, "request body too large\n", 1);
    } else {
        v->post = 1;
        v->body_len = (size_t)req->content_length;
    }
}

void
dbot__http_decide(const struct dbot__http_req *req,
                  struct dbot__http_verdict *v)
{
    size_t n;

    memset(v, 0, sizeof *v);
    v->head = is(req->method, req->method_len, "HEAD");
    if (req->upgrade && req->upgrade_len) {
        refuse(v, 400, "upgrades are not served here\n", 1);
        return;
    }
    if (req->max_body > 0 && is(req->method, req->method_len, "POST")) {
        decide_post(req, v);
        if (v->status)
            return;
    } else
        /* A body, or a length we cannot trust (negative, not a number): lws
         * and we could disagree on where the next request starts. */
        if (req->content_length > 0 || req->content_length < -1 ||
            req->chunked) {
            refuse(v, 400, "request bodies are not accepted\n", 1);
            return;
        } else if (!v->head && !is(req->method, req->method_len, "GET")) {
            /* A method we do not serve may carry a body we cannot frame. */
            refuse(v, 405,
                   req->max_body > 0 ? "only POST, GET and HEAD\n"
                                     : "only GET and HEAD\n",
                   1);
            return;
        }
    if (!req->uri || req->uri_len == 0 || req->uri[0] != '/') {
        refuse(v, 400, "the target must be a path\n", 0);
        return;
    }
    for (n = 0; n < req->uri_len; n++)
        if (req->uri[n] == '?' || req->uri[n] == '#' || req->uri[n] == '\0')
            break;
    if (n > DBOT__HTTP_PATH_MAX) {
        refuse(v, 414, "path too long\n", 0);
        return;
    }
    v->path = req->uri;
    v->path_len = n;
}
