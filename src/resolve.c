/*
 * resolve.c: one short-lived thread per lookup.
 *
 * Lookups are rare (a gateway connect, a reconnect), so a thread each is
 * cheaper to reason about than a pool. A request is shared by its thread and
 * the loop: the thread fills in the answer and posts a task; the task, on
 * the loop, calls back unless the request was cancelled, then frees it. The
 * resolver counts live threads so dbot_free() can wait for them before the
 * inbox they post to goes away.
 */
#include "resolve.h"

#include "log.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct dbot__resolver {
    dbot__deliver_fn deliver; /* back to the loop */
    void *deliver_ctx;
    int stopping; /* loop thread: answers become DBOT_ESHUTDOWN */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int live; /* threads not yet finished */
};

struct dbot__resolve_req {
    struct dbot__resolver *r;
    char *host;
    dbot__resolve_fn cb;
    void *arg;
    int cancelled; /* loop thread only */
    int err;
    char addr[INET6_ADDRSTRLEN];
};

int
dbot__resolver_new(struct dbot__resolver **out, dbot__deliver_fn deliver,
                   void *deliver_ctx)
{
    struct dbot__resolver *r = calloc(1, sizeof *r);

    if (!r)
        return DBOT_ENOMEM;
    r->deliver = deliver;
    r->deliver_ctx = deliver_ctx;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    *out = r;
    return 0;
}

void
dbot__resolver_stop(struct dbot__resolver *r)
{
    r->stopping = 1;
}

void
dbot__resolver_free(struct dbot__resolver *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->mu);
    while (r->live > 0)
        pthread_cond_wait(&r->cv, &r->mu);
    pthread_mutex_unlock(&r->mu);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r);
}

static void
req_free(struct dbot__resolve_req *req)
{
    free(req->host);
    free(req);
}

/* Loop thread. */
static void
deliver(void *arg)
{
    struct dbot__resolve_req *req = arg;

    /* The owner forgets `req` in its callback, so the callback runs even
     * when stopping; only a cancelled request is silent. */
    if (!req->cancelled) {
        if (!req->err && req->r->stopping)
            req->err = DBOT_ESHUTDOWN;
        req->cb(req->arg, req->err, req->err ? NULL : req->addr);
    }
    req_free(req);
}

static int
numeric(const char *host, char *out)
{
    unsigned char buf[sizeof(struct in6_addr)];
    const char *h = host;
    size_t n = strlen(host);
    char tmp[INET6_ADDRSTRLEN];

    /* "[::1]" from an URL */
    if (n > 2 && h[0] == '[' && h[n - 1] == ']' && n - 2 < sizeof tmp) {
        memcpy(tmp, h + 1, n - 2);
        tmp[n - 2] = '\0';
        h = tmp;
    }
    if (inet_pton(AF_INET, h, buf) == 1 || inet_pton(AF_INET6, h, buf) == 1) {
        strcpy(out, h);
        return 1;
    }
    return 0;
}

static void *
lookup_thread(void *arg)
{
    struct dbot__resolve_req *req = arg;
    struct dbot__resolver *r = req->r;
    struct addrinfo hints, *res = NULL;
    int rc;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    rc = getaddrinfo(req->host, NULL, &hints, &res);
    if (rc != 0 || !res) {
        LOG_W("resolve", "cannot resolve %s: %s", req->host, gai_strerror(rc));
        req->err = DBOT_ETRANSPORT;
    } else {
        const void *a =
            res->ai_family == AF_INET6
                ? (const void *)&((struct sockaddr_in6 *)res->ai_addr)
                      ->sin6_addr
                : (const void *)&((struct sockaddr_in *)res->ai_addr)->sin_addr;
        inet_ntop(res->ai_family, a, req->addr, sizeof req->addr);
    }
    if (res)
        freeaddrinfo(res);
    if (r->deliver(r->deliver_ctx, deliver, req) < 0)
        req_free(req); /* out of memory: the connect attempt times out */
    pthread_mutex_lock(&r->mu);
    r->live--;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

int
dbot__resolve(struct dbot__resolver *r, const char *host, dbot__resolve_fn cb,
              void *arg, struct dbot__resolve_req **out)
{
    struct dbot__resolve_req *req = calloc(1, sizeof *req);
    pthread_attr_t attr;
    pthread_t th;
    int rc;

    if (!req)
        return DBOT_ENOMEM;
    req->r = r;
    req->cb = cb;
    req->arg = arg;
    req->host = strdup(host);
    if (!req->host) {
        free(req);
        return DBOT_ENOMEM;
    }
    if (out)
        *out = req;
    if (numeric(host, req->addr)) {
        rc = r->deliver(r->deliver_ctx, deliver, req);
        if (rc < 0)
            req_free(req);
        return rc;
    }
    pthread_mutex_lock(&r->mu);
    r->live++;
    pthread_mutex_unlock(&r->mu);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    rc = pthread_create(&th, &attr, lookup_thread, req);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        pthread_mutex_lock(&r->mu);
        r->live--;
        pthread_mutex_unlock(&r->mu);
        req_free(req);
        return DBOT_EAGAIN;
    }
    return 0;
}

void
dbot__resolve_cancel(struct dbot__resolve_req *req)
{
    if (req)
        req->cancelled = 1;
}
