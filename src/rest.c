/*
 * rest.c: the REST client: one thread, one CURLM, the rate limiter.
 *
 * DESIGN
 *
 * Why a thread. The loop thread runs the gateway and every handler; it must
 * never block. libcurl could be driven from the loop through its socket
 * interface, but then every curl callback, TLS handshake, JSON parse of a
 * large response and file read of an upload would run on the loop. A
 * dedicated REST thread owns the CURLM and the rate limiter, sleeps in
 * curl_multi_poll(), and is woken by curl_multi_wakeup() (the one multi
 * call that is legal from another thread). The loop thread pays one
 * malloc, one mutex and one wakeup write per request.
 *
 * Flow.
 *   submit (loop)   copy the call into a request, append it to the inbox
 *                   under the lock, wake the thread if the inbox was empty.
 *   thread          move the inbox out under the lock; hand each request
 *                   to the limiter (dbot__rl_submit); take what may be sent
 *                   (dbot__rl_take: interaction callbacks first); add one
 *                   easy handle per request to the multi; run
 *                   curl_multi_perform; for each finished transfer decide:
 *                   done, requeue after a 429 (retry_after + jitter), or
 *                   requeue after a 5xx/transport error (bounded backoff,
 *                   only when a resend is safe, see Retries, and within the
 *                   request's deadline); fail what the limiter says cannot
 *                   be sent in time; sleep in curl_multi_poll until
 *                   curl's next timeout, the limiter's next wake time, or a
 *                   wakeup.
 *   completion      parse the body (on this thread), then hand
 *                   fn(done) to deliver(), which runs the callback on the
 *                   loop thread. Nothing of the client is touched there,
 *                   so a completion may outlive the client.
 *   free (loop)     set `stopping`, wake, join. The thread removes its
 *                   transfers and leaves every unfinished request on the
 *                   cancel list; free then calls each callback once with
 *                   DBOT_ECANCELED on the loop thread.
 *
 * Connections. HTTP/2 is negotiated over TLS (CURL_HTTP_VERSION_2TLS) and
 * multiplexed (CURLMOPT_PIPELINING, CURLOPT_PIPEWAIT makes new transfers
 * wait for the existing connection rather than open another); connections
 * are kept alive in the multi's pool. Name resolution uses curl's
 * asynchronous resolver when the library has one (logged at start);
 * without it, a slow DNS lookup would stall every request, not the loop.
 *
 * Retries. 429s do not stall anything else: the request goes back to the
 * head of its own lane with a not-before time. 401 is never retried (the
 * token is wrong; the log says so). After a 5xx or a transport error the
 * request may or may not have taken effect, so only an idempotent one is
 * sent again (rest_request.c decides): GET, PUT, DELETE, message edits,
 * interaction callbacks (a duplicate earns 40060, read as "the first one
 * landed") and channel messages, which carry a nonce with enforce_nonce so
 * that Discord answers a resend with the message already created. Anything
 * else (webhook and followup execution, other POSTs and PATCHes) is sent
 * again only when it certainly never left: the name did not resolve or the
 * connection was refused. Such a request also never rides a reused
 * connection: curl silently resends a request whose reused connection
 * died before any answer, which could duplicate it. For the others that
 * resend is harmless, and is counted (a callback's 40060 after it means
 * the first one landed).
 *
 * Deadlines. Each request has one (3 s for interaction callbacks, else
 * deadline_ms from submission). No retry, 429 wait or bucket wait may end
 * past it: a request that would is failed at once (DBOT_ERATELIMIT for a
 * rate-limit wait, DBOT_ETIMEDOUT when the deadline passed in the queue)
 * instead of holding its lane.
 */
#include "rest.h"
#include "clock.h"
#include "rest_engine.h"

#include "config.h"
#include "log.h"
#include "rand.h"
#include "rest_request.h"
#include "tls_ca.h"

#include <curl/curl.h>

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TAKE_BATCH 64
/* Transfers in the multi at once. Beyond this, requests wait in the
 * limiter, not inside curl: a request that curl holds back for a free
 * connection would reach Discord later than the limiter counted it, and
 * bunched arrivals can break the global limit. Interaction callbacks have
 * a reserve on top, so a full pipe never delays an acknowledgement. */
#define MAX_INFLIGHT 64
#define IX_RESERVE   32
#define SWEEP_MS     1000
#define BACKOFF_MAX  5000

#define RL_WAIT_MIN_MS 10 /* a first start this late was held back */

/* REST thread. */
static void
count_route(struct dbot__rest *r, const char *route, int status)
{
    int i;

    pthread_mutex_lock(&r->counts_mu);
    for (i = 0; i < r->ncounts; i++)
        if (r->counts[i].status == status &&
            strcmp(r->counts[i].route, route) == 0)
            break;
    if (i == r->ncounts) {
        if (r->ncounts >= DBOT__REST_ROUTE_SLOTS - 1)
            route = "other";
        for (i = 0; i < r->ncounts; i++)
            if (r->counts[i].status == status &&
                strcmp(r->counts[i].route, route) == 0)
                break;
    }
    if (i == r->ncounts && r->ncounts < DBOT__REST_ROUTE_SLOTS) {
        snprintf(r->counts[i].route, sizeof r->counts[i].route, "%s", route);
        r->counts[i].status = status;
        r->counts[i].count = 0;
        r->ncounts++;
    }
    if (i < r->ncounts)
        r->counts[i].count++;
    pthread_mutex_unlock(&r->counts_mu);
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void
curl_init_once(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

#define now_ms dbot__clock_ms

/* A nonce for one channel message. xorshift64* visits every state once
 * per period, so nonces never repeat within this client; rand.h's seed
 * makes other processes sharing the token start elsewhere, so Discord
 * never takes two different messages for resends of one. */
static void
nonce_next(struct dbot__rest_engine *e, char *out, size_t cap)
{
    snprintf(out, cap, "%016" PRIx64, dbot__rand_next(&e->nonce_rng));
}

/* ---- completions ------------------------------------------------------ */

/* Hand a finished request's result to the loop and free the request. */
static void
complete(struct dbot__rest_engine *eng, struct dbot__rest_req *q, int status,
         int err, const char *msg)
{
    struct dbot__rest *r = eng->client;
    struct dbot__rest_done *d = dbot__rest_done_new(q, status, err, msg);
    const char *m;
    int e;

    count_route(r, q->route, status);
    if (!d) {
        atomic_fetch_add(&r->n_done, 1);
        dbot_log(DBOT_LOG_ERROR, "rest",
                 "%s: out of memory; the callback is lost", q->route);
        dbot__rest_req_free(q);
        return;
    }
    e = dbot__rest_done_err(d, &m);
    if (e == DBOT_EAUTH)
        dbot_log(DBOT_LOG_ERROR, "rest", "%s", m);
    else if (e && !q->cb)
        dbot_log(DBOT_LOG_WARN, "rest", "%s", m);
    else if (e)
        dbot_log(DBOT_LOG_DEBUG, "rest", "%s", m);
    if (!q->cb) {
        dbot__rest_done_free(d);
    } else if (eng->direct && !q->deliver) {
        dbot__rest_done_run(d); /* the loop lane, driven by the loop */
    } else if ((q->deliver ? q->deliver(q->deliver_ctx, dbot__rest_done_run, d)
                           : r->deliver(r->ctx, dbot__rest_done_run, d)) < 0) {
        dbot_log(DBOT_LOG_ERROR, "rest",
                 "%s: cannot reach the loop; the callback is lost", q->route);
        dbot__rest_done_free(d);
    }
    /* Counted after the hand-over, so done == submitted means every
     * callback already sits in the loop's inbox or has run. */
    atomic_fetch_add(&r->n_done, 1);
    dbot__rest_req_free(q);
}

/* The transfer failed before a single byte of the request left: the name
 * did not resolve, or the connection was refused or unreachable (curl's
 * COULDNT_CONNECT). Only then is a request that is not idempotent sent
 * again. A timeout or reset after connecting is not enough: the request
 * may have arrived. A connect timeout would qualify too, but curl reports
 * it as the same OPERATION_TIMEDOUT as a timeout after sending, so it is
 * treated as one. */
static bool
never_sent(CURLcode rc)
{
    return rc == CURLE_COULDNT_RESOLVE_HOST ||
           rc == CURLE_COULDNT_RESOLVE_PROXY || rc == CURLE_COULDNT_CONNECT;
}

/* Try to schedule another attempt after a 5xx or transport error (the
 * caller checked that a resend is safe). Returns true if the request was
 * requeued: within max_retries, and landing before its deadline. */
static bool
retry_later(struct dbot__rest_engine *e, struct dbot__rest_req *q, int64_t now)
{
    struct dbot__rest *r = e->client;
    int64_t delay;

    if (q->attempts > r->max_retries)
        return false;
    delay = (int64_t)r->retry_base_ms << (q->attempts - 1);
    if (delay > BACKOFF_MAX)
        delay = BACKOFF_MAX;
    delay += (int64_t)dbot__rand_below(&e->rng, (uint64_t)(delay / 2 + 1));
    if (now + delay >= q->rl.deadline)
        return false;
    dbot__rl_requeue(e->rl, &q->rl, now + delay);
    atomic_fetch_add(&r->n_retries, 1);
    return true;
}

static int
curl_err(CURLcode rc)
{
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return DBOT_ETIMEDOUT;
    case CURLE_FILESIZE_EXCEEDED:
        return DBOT_ETOOBIG;
    case CURLE_OUT_OF_MEMORY:
        return DBOT_ENOMEM;
    default:
        return DBOT_ETRANSPORT;
    }
}

static void
running_add(struct dbot__rest_engine *r, struct dbot__rest_req *q)
{
    q->run_prev = NULL;
    q->run_next = r->running;
    if (r->running)
        r->running->run_prev = q;
    r->running = q;
    r->n_running++;
}

static void
running_del(struct dbot__rest_engine *r, struct dbot__rest_req *q)
{
    if (q->run_prev)
        q->run_prev->run_next = q->run_next;
    else
        r->running = q->run_next;
    if (q->run_next)
        q->run_next->run_prev = q->run_prev;
    q->run_next = q->run_prev = NULL;
    r->n_running--;
}

/* Keep a finished transfer's easy handle: curl_easy_reset keeps its
 * caches, and reuse saves an allocation and setup per request. Resetting
 * now also drops its references to the request's headers and mime. */
static void
easy_release(struct dbot__rest_engine *r, struct dbot__rest_req *q)
{
    CURL *e = q->easy;

    q->easy = NULL;
    if (!e)
        return;
    if (r->n_idle == DBOT__REST_EASY_POOL) {
        curl_easy_cleanup(e);
        return;
    }
    curl_easy_reset(e);
    r->idle[r->n_idle++] = e;
}

/* A transfer ended: decide done, retry or requeue. */
static void
finished(struct dbot__rest_engine *e, struct dbot__rest_req *q, CURLcode rc)
{
    struct dbot__rest *r = e->client;
    struct dbot__rl_resp resp;
    int64_t now = now_ms(), delay;
    long status = 0;
    char msg[CURL_ERROR_SIZE + 96];

    curl_multi_remove_handle(e->multi, q->easy);
    running_del(e, q);
    if (rc == CURLE_OK) {
        long ver = 0;

        curl_easy_getinfo(q->easy, CURLINFO_RESPONSE_CODE, &status);
        if (curl_easy_getinfo(q->easy, CURLINFO_HTTP_VERSION, &ver) ==
                CURLE_OK &&
            ver == CURL_HTTP_VERSION_2_0)
            atomic_fetch_add(&r->n_http2, 1);
    }
    easy_release(e, q);
    if (rc != CURLE_OK) {
        int err = q->too_big ? DBOT_ETOOBIG : curl_err(rc);

        dbot__rest_req_rl_resp(q, 0, &resp);
        resp.bucket = NULL; /* headers of a broken response are suspect */
        resp.remaining = -1;
        dbot__rl_complete(e->rl, &q->rl, &resp, now);
        if (q->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
            snprintf(msg, sizeof msg,
                     "response body larger than max_body_bytes (%zu)",
                     r->conf.max_body);
            complete(e, q, (int)status, DBOT_ETOOBIG, msg);
            return;
        }
        if (rc == CURLE_READ_ERROR && q->nfiles) {
            complete(e, q, 0, DBOT_ENOENT, "cannot read an upload file");
            return;
        }
        snprintf(msg, sizeof msg, "%s (%s)", curl_easy_strerror(rc),
                 q->errbuf[0] ? q->errbuf : "no detail");
        if ((q->idempotent || never_sent(rc)) && retry_later(e, q, now)) {
            q->unclear |= !never_sent(rc);
            dbot_log(DBOT_LOG_WARN, "rest", "%s: %s; retrying", q->route, msg);
            dbot__rest_req_end_transfer(q);
            return;
        }
        if (q->attempts > 1) {
            size_t l = strlen(msg);
            snprintf(msg + l, sizeof msg - l, " after %d attempts",
                     q->attempts);
        }
        complete(e, q, 0, err, msg);
        return;
    }
    dbot__rest_req_rl_resp(q, (int)status, &resp);
    delay = dbot__rl_complete(e->rl, &q->rl, &resp, now);
    if (status == 429) {
        atomic_fetch_add(&r->n_limited, 1);
        q->n429++;
        if (q->n429 > r->max_429 || now + delay >= q->rl.deadline) {
            dbot__rl_finish(e->rl, &q->rl, now);
            if (q->n429 > r->max_429)
                snprintf(msg, sizeof msg,
                         "HTTP 429: still rate limited after %d attempts",
                         q->attempts);
            else
                snprintf(msg, sizeof msg,
                         "HTTP 429: rate limited for %" PRId64
                         " ms, past the request's deadline",
                         delay);
            complete(e, q, 429, DBOT_ERATELIMIT, msg);
            return;
        }
        dbot__rl_requeue(e->rl, &q->rl, now + delay);
        dbot__rest_req_end_transfer(q);
        return;
    }
    if (status >= 500 && q->idempotent && retry_later(e, q, now)) {
        dbot_log(DBOT_LOG_WARN, "rest", "%s: HTTP %ld; retrying", q->route,
                 status);
        q->unclear = true;
        dbot__rest_req_end_transfer(q);
        return;
    }
    if (q->sends > 1)
        q->unclear = true; /* curl resent it: the first may have landed */
    if (status == 400 && q->unclear && (q->flags & DBOT__RL_INTERACTION) &&
        dbot__rest_req_has_code(q, 40060)) {
        dbot_log(DBOT_LOG_INFO, "rest",
                 "%s: 40060 on attempt %d: an earlier attempt was "
                 "acknowledged",
                 q->route, q->attempts);
        q->landed = true;
    }
    if (status >= 500 && q->attempts > 1) {
        snprintf(msg, sizeof msg, "HTTP %ld after %d attempts", status,
                 q->attempts);
        complete(e, q, (int)status, DBOT_EHTTP, msg);
        return;
    }
    complete(e, q, (int)status, 0, NULL);
}

/* ---- the engine ------------------------------------------------------- */

static void
start(struct dbot__rest_engine *e, struct dbot__rest_req *q)
{
    struct dbot__rest *r = e->client;
    struct dbot__rl_resp none = { 0, NULL, -1, -1, -1, NULL, 0, -1 };
    int rc;

    if (q->attempts == 0) {
        int64_t waited = now_ms() - q->submitted;

        if (waited >= RL_WAIT_MIN_MS) {
            atomic_fetch_add(&r->n_waited, 1);
            atomic_fetch_add(&r->n_wait_ms, (uint64_t)waited);
        }
    }
    rc = dbot__rest_req_start(q, &r->conf,
                              e->n_idle ? e->idle[--e->n_idle] : NULL);

    if (rc == 0 && curl_multi_add_handle(e->multi, q->easy) != CURLM_OK)
        rc = DBOT_ENOMEM;
    if (rc < 0) {
        dbot__rl_complete(e->rl, &q->rl, &none, now_ms());
        complete(e, q, 0, rc, q->errbuf[0] ? q->errbuf : dbot_strerror(rc));
        return;
    }
    running_add(e, q);
    atomic_fetch_add(&r->n_sent, 1);
}

void
dbot__rest_engine_accept(struct dbot__rest_engine *e, struct dbot__rest_req *q,
                         int64_t now)
{
    char nonce[DBOT__REST_NONCE_LEN + 1];
    int rc;

    q->submitted = now;
    q->rl.deadline =
        now + ((q->flags & DBOT__RL_INTERACTION) ? DBOT__REST_IX_DEADLINE_MS
                                                 : e->client->deadline_ms);
    nonce_next(e, nonce, sizeof nonce);
    rc = dbot__rest_req_prepare(q, nonce);
    if (rc == 0)
        rc = dbot__rl_submit_keyed(e->rl, &q->rl, q->route, q->top, q->flags,
                                   now);
    if (rc < 0)
        complete(e, q, 0, rc, "cannot queue the request");
}

void
dbot__rest_engine_cancel_all(struct dbot__rest_engine *e,
                             struct dbot__rest_req **list)
{
    struct dbot__rl_req *lq;

    while (e->running) {
        struct dbot__rest_req *q = e->running;

        curl_multi_remove_handle(e->multi, q->easy);
        running_del(e, q);
        dbot__rest_req_end_transfer(q);
        q->next = *list;
        *list = q;
    }
    while ((lq = dbot__rl_drain(e->rl)) != NULL) {
        struct dbot__rest_req *q = (struct dbot__rest_req *)lq;

        q->next = *list;
        *list = q;
    }
}

void
dbot__rest_cancel_list(struct dbot__rest_req *list)
{
    struct dbot__rest_req *q, *next;
    dbot_rest_result res;
    char msg[300];

    for (q = list; q; q = next) {
        next = q->next;
        if (q->cb) {
            memset(&res, 0, sizeof res);
            snprintf(msg, sizeof msg,
                     "%s: cancelled: the client is shutting down", q->route);
            res.err = DBOT_ECANCELED;
            res.message = msg;
            res.body = "";
            q->cb(&res, q->ud);
        }
        dbot__rest_req_free(q);
    }
}

void
dbot__rest_engine_collect(struct dbot__rest_engine *e)
{
    CURLMsg *m;
    int left;

    while ((m = curl_multi_info_read(e->multi, &left)) != NULL) {
        struct dbot__rest_req *q = NULL;

        if (m->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&q);
        finished(e, q, m->data.result);
    }
}

/* Fail every queued request the limiter says cannot be sent in time. */
static void
expire(struct dbot__rest_engine *e, int64_t now)
{
    struct dbot__rl_req *out[TAKE_BATCH];
    size_t n;
    char msg[128];

    do {
        n = dbot__rl_expire(e->rl, now, out, TAKE_BATCH);
        for (size_t i = 0; i < n; i++) {
            struct dbot__rest_req *q = (struct dbot__rest_req *)out[i];
            bool late = now >= q->rl.deadline;

            snprintf(msg, sizeof msg,
                     late ? "still queued at its deadline (%" PRId64 " ms)"
                          : "rate limited past its deadline (%" PRId64 " ms)",
                     q->rl.deadline - q->submitted);
            atomic_fetch_add(&e->client->n_expired, 1);
            complete(e, q, 0, late ? DBOT_ETIMEDOUT : DBOT_ERATELIMIT, msg);
        }
    } while (n == TAKE_BATCH);
}

size_t
dbot__rest_engine_pump(struct dbot__rest_engine *e, int64_t now, int64_t *wake)
{
    struct dbot__rl_req *out[TAKE_BATCH];
    size_t total = 0, n;

    expire(e, now);
    if (now >= e->next_sweep) {
        dbot__rl_sweep(e->rl, now);
        e->next_sweep = now + SWEEP_MS;
    }
    /* Take what the limiter allows within the free transfer slots. */
    do {
        size_t run = e->n_running;
        size_t room = run < MAX_INFLIGHT ? MAX_INFLIGHT - run : 0;
        size_t ix_room = run < MAX_INFLIGHT + IX_RESERVE
                             ? MAX_INFLIGHT + IX_RESERVE - run
                             : 0;

        n = dbot__rl_take_capped(e->rl, now, out, TAKE_BATCH, ix_room, room,
                                 wake);
        for (size_t i = 0; i < n; i++)
            start(e, (struct dbot__rest_req *)out[i]);
        total += n;
    } while (n == TAKE_BATCH);
    return total;
}

int
dbot__rest_engine_init(struct dbot__rest_engine *e, struct dbot__rest *r,
                       int global_per_sec, const struct dbot__rl_shared *shared)
{
    memset(e, 0, sizeof *e);
    e->client = r;
    e->nonce_rng = dbot__rand_seed(&e->nonce_rng);
    e->rng = dbot__rand_seed(&e->rng);
    e->next_sweep = now_ms() + SWEEP_MS;
    e->rl = dbot__rl_new(global_per_sec, e->rng);
    if (e->rl && shared)
        dbot__rl_set_shared(e->rl, shared);
    e->multi = e->rl ? curl_multi_init() : NULL;
    if (!e->multi) {
        dbot__rl_free(e->rl);
        e->rl = NULL;
        return DBOT_ENOMEM;
    }
    curl_multi_setopt(e->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    curl_multi_setopt(e->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                      (long)(MAX_INFLIGHT + IX_RESERVE));
    return 0;
}

void
dbot__rest_engine_cleanup(struct dbot__rest_engine *e)
{
    while (e->n_idle)
        curl_easy_cleanup(e->idle[--e->n_idle]);
    if (e->multi)
        curl_multi_cleanup(e->multi);
    dbot__rl_free(e->rl);
    e->multi = NULL;
    e->rl = NULL;
}

/* ---- the thread -------------------------------------------------------- */

/* Move the inbox into the limiter. Returns false when stopping. */
static bool
take_inbox(struct dbot__rest *r)
{
    struct dbot__rest_req *q, *next;
    bool stopping;
    int64_t now;

    pthread_mutex_lock(&r->mu);
    q = r->inbox;
    r->inbox = r->inbox_tail = NULL;
    stopping = r->stopping;
    pthread_mutex_unlock(&r->mu);
    now = now_ms();
    for (; q; q = next) {
        next = q->next;
        q->next = NULL;
        if (stopping) {
            q->next = r->cancelled;
            r->cancelled = q;
            continue;
        }
        dbot__rest_engine_accept(&r->eng, q, now);
    }
    return !stopping;
}

static void *
rest_main(void *arg)
{
    struct dbot__rest *r = arg;
    struct dbot__rest_engine *e = &r->eng;

    while (take_inbox(r)) {
        int64_t now = now_ms(), wake;
        int running, timeout;

        dbot__rest_engine_pump(e, now, &wake);
        curl_multi_perform(e->multi, &running);
        dbot__rest_engine_collect(e);
        /* Completions may have made lanes ready: look again before
         * sleeping. */
        now = now_ms();
        if (dbot__rest_engine_pump(e, now, &wake)) {
            curl_multi_perform(e->multi, &running);
            dbot__rest_engine_collect(e);
            continue;
        }
        timeout = SWEEP_MS;
        if (wake != INT64_MAX && wake - now < timeout)
            timeout = wake - now < 0 ? 0 : (int)(wake - now);
        curl_multi_poll(e->multi, NULL, 0, timeout, NULL);
    }
    dbot__rest_engine_cancel_all(e, &r->cancelled);
    take_inbox(r); /* anything that raced with stopping */
    return NULL;
}

/* ---- public (internal) API -------------------------------------------- */

static char *
copy_str(const char *s, const char *dflt)
{
    const char *v = s && *s ? s : dflt;

    return v ? strdup(v) : NULL;
}

static void
conf_free(struct dbot__rest_conf *c)
{
    free(c->api_url);
    if (c->auth) {
        /* Do not leave the token in freed memory. */
        memset(c->auth, 0, strlen(c->auth));
        free(c->auth);
    }
    free(c->user_agent);
    free(c->ca_file);
    free(c->ca_dir);
}

static void
log_curl_features(void)
{
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);

    if (!v)
        return;
    dbot_log(DBOT_LOG_INFO, "rest", "libcurl %s (%s): async DNS %s, HTTP/2 %s",
             v->version, v->ssl_version ? v->ssl_version : "no TLS",
             (v->features & CURL_VERSION_ASYNCHDNS) ? "yes" : "NO",
             (v->features & CURL_VERSION_HTTP2) ? "yes" : "no");
    if (!(v->features & CURL_VERSION_ASYNCHDNS))
        dbot_log(DBOT_LOG_WARN, "rest",
                 "libcurl has no asynchronous resolver: a slow DNS lookup "
                 "stalls all REST requests");
}

struct dbot__rest *
dbot__rest_new(const struct dbot__rest_opts *o, dbot__deliver_fn deliver,
               void *ctx)
{
    static const struct dbot__rest_opts zero;
    struct dbot__rest *r;
    bool ok;

    if (!deliver)
        return NULL;
    if (!o)
        o = &zero;
    pthread_once(&curl_once, curl_init_once);
    if (curl_init_rc != CURLE_OK) {
        dbot_log(DBOT_LOG_ERROR, "rest", "curl_global_init failed: %s",
                 curl_easy_strerror(curl_init_rc));
        return NULL;
    }
    r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->owner = o->owner;
    r->deliver = deliver;
    r->ctx = ctx;
    r->conf.api_url = copy_str(o->api_url, DBOT_DEFAULT_API_URL);
    r->conf.user_agent = copy_str(o->user_agent, DBOT__REST_USER_AGENT);
    r->conf.ca_file = copy_str(o->ca_file, NULL);
    /* Looked up here, not per request (two stat calls each). */
    r->conf.ca_dir =
        copy_str(r->conf.ca_file ? NULL : dbot__tls_ca_dir(), NULL);
    r->conf.connect_timeout_ms =
        o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000;
    r->conf.timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 30000;
    r->conf.tls_verify = o->tls_insecure == 0;
    r->conf.max_body =
        o->max_body_bytes ? o->max_body_bytes : DBOT__REST_MAX_BODY;
    r->max_retries = o->max_retries > 0   ? o->max_retries
                     : o->max_retries < 0 ? 0
                                          : 3;
    r->retry_base_ms = o->retry_base_ms > 0 ? o->retry_base_ms : 250;
    r->max_429 = o->max_429_retries > 0 ? o->max_429_retries : 8;
    r->deadline_ms =
        o->deadline_ms > 0 ? o->deadline_ms : DBOT__REST_DEADLINE_MS;
    ok = r->conf.api_url && r->conf.user_agent &&
         (!o->ca_file || r->conf.ca_file);
    if (ok && o->token && *o->token) {
        size_t n = strlen(o->token) + sizeof "Authorization: Bot ";

        dbot_log_add_secret(o->token);
        r->conf.auth = malloc(n);
        if (r->conf.auth)
            snprintf(r->conf.auth, n, "Authorization: Bot %s", o->token);
        ok = r->conf.auth != NULL;
    }
    if (ok) {
        size_t l = strlen(r->conf.api_url);
        while (l && r->conf.api_url[l - 1] == '/')
            r->conf.api_url[--l] = '\0';
    }
    if (!r->conf.tls_verify)
        dbot_log(DBOT_LOG_WARN, "rest",
                 "TLS certificate verification is OFF (tests only)");
    ok = ok &&
         dbot__rest_engine_init(&r->eng, r, o->global_per_sec, o->shared) == 0;
    pthread_mutex_init(&r->counts_mu, NULL); /* cannot fail on Linux */
    if (!ok || pthread_mutex_init(&r->mu, NULL) != 0) {
        dbot_log(DBOT_LOG_ERROR, "rest", "cannot create the REST client");
        dbot__rest_engine_cleanup(&r->eng);
        conf_free(&r->conf);
        free(r);
        return NULL;
    }
    log_curl_features();
    /* Without a lane (none asked for, or it cannot be set up: logged),
     * the thread takes every request. */
    if (o->loop)
        r->lane = dbot__rest_lane_new(r, o->loop, o->shared);
    if (pthread_create(&r->thread, NULL, rest_main, r) != 0) {
        dbot_log(DBOT_LOG_ERROR, "rest", "cannot start the REST thread");
        dbot__rest_lane_free(r->lane);
        pthread_mutex_destroy(&r->mu);
        dbot__rest_engine_cleanup(&r->eng);
        conf_free(&r->conf);
        free(r);
        return NULL;
    }
    pthread_setname_np(r->thread, "dbot-rest");
    return r;
}

int
dbot__rest_submit(struct dbot__rest *r, const struct dbot__rest_call *c,
                  dbot__rest_cb cb, void *ud)
{
    struct dbot__rest_req *q;
    bool wake;
    int err;

    if (!r)
        return DBOT_ESHUTDOWN;
    q = dbot__rest_req_new(c, cb, ud, &err);
    if (!q)
        return err;
    if (r->lane && dbot__rest_lane_takes(r->lane, q)) {
        atomic_fetch_add(&r->n_submitted, 1);
        atomic_fetch_add(&r->n_lane, 1);
        dbot__rest_lane_submit(r->lane, q);
        return 0;
    }
    pthread_mutex_lock(&r->mu);
    if (r->stopping) {
        pthread_mutex_unlock(&r->mu);
        dbot__rest_req_free(q);
        return DBOT_ESHUTDOWN;
    }
    /* Counted before the thread can see it, so done never passes it. */
    atomic_fetch_add(&r->n_submitted, 1);
    wake = r->inbox == NULL;
    if (r->inbox_tail)
        r->inbox_tail->next = q;
    else
        r->inbox = q;
    r->inbox_tail = q;
    pthread_mutex_unlock(&r->mu);
    if (wake)
        curl_multi_wakeup(r->eng.multi);
    return 0;
}

void
dbot__rest_wake(void *rest)
{
    struct dbot__rest *r = rest;

    curl_multi_wakeup(r->eng.multi);
}

void
dbot__rest_free(struct dbot__rest *r)
{
    struct dbot__rest_lane *ln;

    if (!r)
        return;
    pthread_mutex_lock(&r->mu);
    r->stopping = true;
    pthread_mutex_unlock(&r->mu);
    /* The lane first: its cancelled callbacks may submit, and find the
     * client stopping. */
    ln = r->lane;
    r->lane = NULL; /* submits from the cancelled callbacks go nowhere */
    dbot__rest_lane_free(ln);
    curl_multi_wakeup(r->eng.multi);
    pthread_join(r->thread, NULL);
    dbot__rest_cancel_list(r->cancelled);
    dbot__rest_engine_cleanup(&r->eng);
    pthread_mutex_destroy(&r->mu);
    pthread_mutex_destroy(&r->counts_mu);
    conf_free(&r->conf);
    free(r);
}

void
dbot__rest_stats(const struct dbot__rest *r, struct dbot__rest_stats *st)
{
    st->sent = atomic_load(&r->n_sent);
    st->done = atomic_load(&r->n_done);
    st->retries = atomic_load(&r->n_retries);
    st->expired = atomic_load(&r->n_expired);
    st->limited = atomic_load(&r->n_limited);
    st->http2 = atomic_load(&r->n_http2);
    st->submitted = atomic_load(&r->n_submitted);
    st->waited = atomic_load(&r->n_waited);
    st->wait_ms = atomic_load(&r->n_wait_ms);
    st->lane = atomic_load(&r->n_lane);
}

int
dbot__rest_route_counts(struct dbot__rest *r,
                        struct dbot__rest_route_count *out, int max)
{
    int n;

    pthread_mutex_lock(&r->counts_mu);
    n = r->ncounts < max ? r->ncounts : max;
    memcpy(out, r->counts, (size_t)n * sizeof *out);
    pthread_mutex_unlock(&r->counts_mu);
    return n;
}

dbot *
dbot__rest_owner(const struct dbot__rest *r)
{
    return r->owner;
}
