/*
 * fuzz_http.c: the HTTP listener's request path. The input is a request
 * head as a client sends it ("METHOD TARGET VERSION", then header lines);
 * the driver splits it the way lws hands it to http.c (method, target,
 * Upgrade, Content-Length, Transfer-Encoding) and checks what
 * dbot__http_decide() answers: a known status, never an upgrade, a close
 * for everything that could not be framed, and a served path that is a
 * non-empty slice of the target, starting with '/', with no query,
 * fragment or NUL, and within DBOT__HTTP_PATH_MAX. Each request is decided
 * twice: as the monitoring listener (no bodies) and as the interactions
 * listener (POST bodies up to a bound), where a served POST has a length
 * that is given, plain and within the bound. Built for libFuzzer, or with
 * replay_main.c for tests.
 */
#include "http_request.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CHECK(c)                                                     \
    do {                                                             \
        if (!(c)) {                                                  \
            fprintf(stderr, "fuzz_http: %s failed at line %d\n", #c, \
                    __LINE__);                                       \
            abort();                                                 \
        }                                                            \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next line of [*p, end), without its CR LF; advances *p. */
static const char *
next_line(const char **p, const char *end, size_t *len)
{
    const char *s = *p, *nl;

    if (s >= end)
        return NULL;
    nl = memchr(s, '\n', (size_t)(end - s));
    *len = (size_t)((nl ? nl : end) - s);
    *p = nl ? nl + 1 : end;
    if (*len && s[*len - 1] == '\r')
        (*len)--;
    return s;
}

/* The value of header line `l` if its name is `name`, else NULL. */
static const char *
header(const char *l, size_t len, const char *name, size_t *vlen)
{
    size_t n = strlen(name);

    if (len <= n || strncasecmp(l, name, n) != 0 || l[n] != ':')
        return NULL;
    l += n + 1;
    len -= n + 1;
    while (len && (*l == ' ' || *l == '\t')) {
        l++;
        len--;
    }
    *vlen = len;
    return l;
}

static void
check(const struct dbot__http_req *rq, const struct dbot__http_verdict *v)
{
    int is_head =
        rq->method && rq->method_len == 4 && memcmp(rq->method, "HEAD", 4) == 0;
    int is_get =
        rq->method && rq->method_len == 3 && memcmp(rq->method, "GET", 3) == 0;

    CHECK(v->status == 0 || v->status == 400 || v->status == 405 ||
          v->status == 414);
    CHECK(v->head == is_head);
    if (rq->upgrade && rq->upgrade_len)
        CHECK(v->status == 400 && v->close);
    if (rq->content_length > 0 || rq->chunked || (!is_get && !is_head))
        CHECK(v->status != 0 && v->close);
    if (v->status) {
        CHECK(v->body && *v->body && v->body[strlen(v->body) - 1] == '\n');
        CHECK(v->path == NULL);
        return;
    }
    CHECK(v->path == rq->uri);
    CHECK(v->path_len >= 1 && v->path_len <= DBOT__HTTP_PATH_MAX);
    CHECK(v->path_len <= rq->uri_len);
    CHECK(v->path[0] == '/');
    CHECK(!memchr(v->path, '?', v->path_len));
    CHECK(!memchr(v->path, '#', v->path_len));
    CHECK(!memchr(v->path, '\0', v->path_len));
    CHECK(!v->close);
}

#define FUZZ_MAX_BODY 4096

/* The interactions listener's rules: a POST is served only with a plain
 * Content-Length within the bound (and never chunked); every refusal of a
 * POST closes. GET and HEAD are decided as without bodies. */
static void
check_post(const struct dbot__http_req *rq, const struct dbot__http_verdict *v)
{
    int is_post =
        rq->method && rq->method_len == 4 && memcmp(rq->method, "POST", 4) == 0;

    CHECK(v->status == 0 || v->status == 400 || v->status == 405 ||
          v->status == 411 || v->status == 413 || v->status == 414);
    if (rq->upgrade && rq->upgrade_len) {
        CHECK(v->status == 400 && v->close);
        return;
    }
    if (!is_post) {
        CHECK(!v->post);
        check(rq, v);
        return;
    }
    if (v->status == 0) {
        CHECK(v->post && !rq->chunked);
        CHECK(rq->content_length >= 0 && rq->content_length <= FUZZ_MAX_BODY);
        CHECK(v->body_len == (size_t)rq->content_length);
        CHECK(v->path == rq->uri && v->path_len >= 1 && v->path[0] == '/');
    } else {
        CHECK(v->close && !v->post); /* its body is never read */
    }
    if (rq->chunked || rq->content_length == -1 ||
        rq->content_length > FUZZ_MAX_BODY)
        CHECK(v->status != 0 && v->close);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size, *l, *sp, *val;
    struct dbot__http_req rq;
    struct dbot__http_verdict v;
    size_t len, vlen;
    char num[24];

    memset(&rq, 0, sizeof rq);
    rq.content_length = -1;
    l = next_line(&p, end, &len);
    if (l) {
        /* "METHOD TARGET VERSION": the target runs to the next space. */
        sp = memchr(l, ' ', len);
        rq.method = l;
        rq.method_len = sp ? (size_t)(sp - l) : len;
        if (sp) {
            const char *t = sp + 1, *t2;
            size_t tl = len - (size_t)(t - l);

            t2 = memchr(t, ' ', tl);
            rq.uri = t;
            rq.uri_len = t2 ? (size_t)(t2 - t) : tl;
        }
    }
    while ((l = next_line(&p, end, &len)) && len) {
        if ((val = header(l, len, "upgrade", &vlen))) {
            rq.upgrade = val;
            rq.upgrade_len = vlen;
        } else if ((val = header(l, len, "content-length", &vlen))) {
            if (vlen >= sizeof num)
                vlen = sizeof num - 1;
            memcpy(num, val, vlen);
            num[vlen] = '\0';
            rq.content_length = strtoll(num, NULL, 10);
        } else if (header(l, len, "transfer-encoding", &vlen)) {
            rq.chunked = 1;
        }
    }
    dbot__http_decide(&rq, &v);
    check(&rq, &v);
    rq.max_body = FUZZ_MAX_BODY;
    dbot__http_decide(&rq, &v);
    check_post(&rq, &v);
    return 0;
}
