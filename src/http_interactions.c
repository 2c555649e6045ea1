/*
 * http_interactions.c: the Interactions Endpoint (http_interactions.h).
 *
 * DESIGN. The listener is http.c's (the same caps, deadlines, accept
 * backoff and descriptor reserve as /healthz), started with POSTs allowed
 * up to interactions_max_body bytes and the two signature headers kept.
 * Each POST is checked in this order, and nothing is parsed before the
 * signature holds (discord-protocol.md §3.5):
 *
 *   wrong path 404 -> a signature header missing 401 -> timestamp outside
 *   interactions_freshness_s, either way, 401 -> signature 401 -> not a
 *   JSON object 400 -> PING answered {"type":1} -> the sink (handlers):
 *   a replayed id 409, no id/token or a type nobody answers 400.
 *
 * (A wrong method, an oversize or unframed body are refused by http.c
 * before the body is read: 405, 413, 411.) The freshness window bounds
 * how long a captured request could be replayed; within it the replay
 * guard (interaction_seen.c, behind the sink) refuses an id seen before,
 * so a request runs its handler at most once.
 *
 * A request handed to the handlers becomes a `struct ix_req`: the
 * interaction's transport (respond, release) on one side and the HTTP
 * exchange's watcher on the other. It lives until both are done with it:
 * the interaction freed (release) and the exchange ended (watch). The
 * initial response is the exchange's answer; when it has left (SENT) or
 * the connection died (LOST), the interaction hears it through the same
 * completion a REST callback would give, so the 3-second machinery
 * (auto-defer, parked edits, error answers) works unchanged.
 *
 * SENT is reported SETTLE_MS after the answer was written, not at once.
 * Discord reads the answer through the proxy and only then creates the
 * response message; an edit or followup sent the moment the answer left
 * can reach Discord's API first and fail with 10015 Unknown Webhook (the
 * fake Discord shows that race with a worker that finishes in a few ms).
 * Until then the interaction is still acknowledging: a reply to a defer is
 * parked, as while a REST callback is in flight, whose round trip this
 * stands for.
 */
#include "http_interactions.h"
#include "clock.h"

#include "config.h"
#include "http.h"
#include "log.h"

#include <dbot/verify.h>

#include <libwebsockets.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Requests come through a reverse proxy, often from one address, and
 * each is held up to the ack deadline: allow many, all from one peer. */
#define MAX_CONNECTIONS 512
/* From an answer written to the interaction counting as acknowledged. */
#define SETTLE_MS 100

struct dbot__http_ix {
    struct dbot__http_ix_deps d;
    dbot_verifier *verifier;
    struct dbot__http *http; /* NULL when not listening */
    struct dbot__http_ix_stats st;
    int inflight;            /* answers given, not yet settled or lost */
    struct ix_req *settling; /* written, waiting out SETTLE_MS */
};

/* One interaction handed to the handlers, until both sides let go. */
struct ix_req {
    struct dbot__http_ix *l;
    struct dbot__http_exchange *x; /* NULL once the exchange ended */
    dbot_rest_fn done;             /* respond's completion, until called */
    void *done_arg;
    int64_t t0;   /* the request was read */
    int answered; /* respond ran */
    int released; /* the interaction is freed */
    int in_watch; /* inside done: release must not free */
    int settling; /* on l->settling, its timer armed */
    lws_sorted_usec_list_t settle_sul;
    struct ix_req *snext, *sprev;
};

static const char JSON[] = "application/json";
static const char TEXT[] = "text/plain; charset=utf-8";

static void
answer_text(struct dbot__http_exchange *x, int status, const char *text)
{
    dbot__http_answer(x, status, TEXT, strdup(text), strlen(text));
}

/* ---- checks ---------------------------------------------------------------
 */

int
dbot__http_ix_fresh(const char *ts, int64_t now_s, int window_s)
{
    int64_t t = 0;

    if (!ts || !*ts || strlen(ts) > 12)
        return 0;
    for (const char *c = ts; *c; c++) {
        if (*c < '0' || *c > '9')
            return 0;
        t = t * 10 + (*c - '0');
    }
    return t >= now_s - window_s && t <= now_s + window_s;
}

/* Verify as §3.5 says; 0 or the status to refuse with (counted). */
static int
check_signature(struct dbot__http_ix *l, const char *const *hdr,
                const char *body, size_t len)
{
    const char *sig = hdr[0], *ts = hdr[1];

    if (!sig || !ts) {
        l->st.unsigned_requests++;
        return 401;
    }
    /* Wall time: the timestamp is Discord's clock, not our monotonic one. */
    if (!dbot__http_ix_fresh(ts, (int64_t)time(NULL),
                             l->d.cfg->interactions_freshness_s)) {
        l->st.stale++;
        return 401;
    }
    if (dbot_verifier_check(l->verifier, ts, body, len, sig) < 0) {
        l->st.bad_signature++;
        return 401;
    }
    return 0;
}

/* ---- the transport ------------------------------------------------------
 */

static void
record_latency(struct dbot__http_ix *l, int64_t t0)
{
    int64_t ms = dbot__clock_ms() - t0;
    int b = 0;

    while (b < DBOT__HTTP_IX_LAT_BUCKETS - 1 && ms >= ((int64_t)1 << b))
        b++;
    l->st.ack_ms_hist[b]++;
    l->st.ack_ms_sum += ms;
}

static void
req_maybe_free(struct ix_req *r)
{
    if (r->released && !r->x && !r->in_watch && !r->settling)
        free(r);
}

/* Hand the interaction its completion: err 0 (the answer left) or the
 * transport error. */
static void
complete(struct ix_req *r, int err)
{
    dbot_rest_fn done = r->done;
    dbot_rest_result res = { 0 };

    r->done = NULL;
    r->l->inflight--;
    res.status = err ? 0 : 200;
    res.err = err;
    res.message = err ? "the HTTP request ended before its answer left" : NULL;
    res.body = "";
    r->in_watch = 1;
    done(r->l->d.bot, &res, r->done_arg);
    r->in_watch = 0;
}

static void
settled(struct ix_req *r)
{
    struct dbot__http_ix *l = r->l;

    if (r->sprev)
        r->sprev->snext = r->snext;
    else
        l->settling = r->snext;
    if (r->snext)
        r->snext->sprev = r->sprev;
    r->settling = 0;
    complete(r, 0);
    req_maybe_free(r);
}

static void
settle_cb(lws_sorted_usec_list_t *sul)
{
    settled(lws_container_of(sul, struct ix_req, settle_sul));
}

/* The exchange ended: tell the interaction how its response fared. */
static void
watch_cb(void *arg, enum dbot__http_outcome o)
{
    struct ix_req *r = arg;
    struct dbot__http_ix *l = r->l;

    r->x = NULL;
    if (r->done && o == DBOT__HTTP_SENT) {
        record_latency(l, r->t0);
        r->settling = 1;
        r->sprev = NULL;
        r->snext = l->settling;
        if (l->settling)
            l->settling->sprev = r;
        l->settling = r;
        lws_sul_schedule(l->d.ctx, 0, &r->settle_sul, settle_cb,
                         (lws_usec_t)SETTLE_MS * LWS_US_PER_MS);
        return;
    }
    if (r->done)
        complete(r, DBOT_ETRANSPORT);
    req_maybe_free(r);
}

static int
respond(void *ud, const cJSON *body, dbot_rest_fn done, void *arg)
{
    struct ix_req *r = ud;
    char *text;

    if (!r->x || r->answered)
        return DBOT_ETRANSPORT; /* the client (Discord) is gone */
    text = cJSON_PrintUnformatted(body);
    if (!text)
        return DBOT_ENOMEM;
    r->answered = 1;
    r->done = done;
    r->done_arg = arg;
    r->l->inflight++;
    dbot__http_answer(r->x, 200, JSON, text, strlen(text));
    return 0;
}

/* The initial response went through REST (files): 202, no body. */
static void
elsewhere(void *ud)
{
    struct ix_req *r = ud;

    if (!r->x || r->answered)
        return;
    r->answered = 1;
    dbot__http_answer(r->x, 202, NULL, NULL, 0);
}

/* The interaction is freed. If nothing answered the request (the bot is
 * stopping, or the token expired), answer it now so the proxy is not left
 * waiting for the deadline. */
static void
release(void *ud)
{
    struct ix_req *r = ud;

    r->released = 1;
    if (r->x && !r->answered) {
        r->answered = 1;
        answer_text(r->x, 503, "not answered\n");
    }
    req_maybe_free(r);
}

/* ---- requests -------------------------------------------------------------
 */

/* Hand a verified interaction to the handlers. */
static void
deliver(struct dbot__http_ix *l, struct dbot__http_exchange *x, const cJSON *d,
        int64_t t0)
{
    struct ix_req *r = calloc(1, sizeof *r);
    struct dbot__ix_transport t = {
        .kind = DBOT_TRANSPORT_HTTP,
        .respond = respond,
        .elsewhere = elsewhere,
        .release = release,
        .ud = r,
    };
    int rc;

    if (!r) {
        answer_text(x, 500, "out of memory\n");
        return;
    }
    r->l = l;
    r->x = x;
    r->t0 = t0;
    dbot__http_watch(x, watch_cb, r);
    rc = l->d.sink(l->d.sink_ud, d, &t);
    if (rc == 0) {
        l->st.delivered++;
        return;
    }
    /* Nobody holds the transport: answer here; the watcher frees r. */
    r->released = 1;
    r->answered = 1;
    if (rc == DBOT_ESTATE) {
        l->st.replays++;
        answer_text(x, 409, "interaction already delivered\n");
    } else if (rc == DBOT_EINVAL) {
        l->st.malformed++;
        answer_text(x, 400, "not an interaction this bot answers\n");
    } else {
        answer_text(x, 500, "cannot take the interaction now\n");
    }
}

static void
on_post(void *ud, struct dbot__http_exchange *x, const char *path,
        const char *const *hdr, const char *body, size_t len)
{
    struct dbot__http_ix *l = ud;
    int64_t t0 = dbot__clock_ms();
    const char *end = NULL;
    const cJSON *type;
    cJSON *d;
    int status;

    if (strcmp(path, l->d.cfg->interactions_path) != 0) {
        answer_text(x, 404, "not found\n");
        return;
    }
    l->st.requests++;
    status = check_signature(l, hdr, body, len);
    if (status) {
        answer_text(x, status, "invalid request signature\n");
        return;
    }
    d = cJSON_ParseWithLengthOpts(body, len, &end, 0);
    while (d && end && end < body + len &&
           (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
        end++;
    if (!cJSON_IsObject(d) || !end || end != body + len) {
        cJSON_Delete(d);
        l->st.malformed++;
        answer_text(x, 400, "the body is not a JSON object\n");
        return;
    }
    type = cJSON_GetObjectItemCaseSensitive(d, "type");
    if (cJSON_IsNumber(type) && type->valueint == 1) {
        l->st.pings++;
        dbot__http_answer(x, 200, JSON, strdup("{\"type\":1}"), 10);
    } else {
        deliver(l, x, d, t0);
    }
    cJSON_Delete(d);
}

/* GET and HEAD: the endpoint takes POSTs only; nothing else is here. */
static int
on_get(void *ud, const char *path, char **body, size_t *len, const char **ctype)
{
    struct dbot__http_ix *l = ud;
    int here = strcmp(path, l->d.cfg->interactions_path) == 0;

    *body = strdup(here ? "use POST\n" : "not found\n");
    *len = *body ? strlen(*body) : 0;
    *ctype = TEXT;
    return here ? 405 : 404;
}

/* ---- lifecycle ------------------------------------------------------------
 */

int
dbot__http_ix_new(struct dbot__http_ix **out,
                  const struct dbot__http_ix_deps *d)
{
    struct dbot__http_ix *l = calloc(1, sizeof *l);
    int rc;

    *out = NULL;
    if (!l)
        return DBOT_ENOMEM;
    l->d = *d;
    l->st.port = -1;
    rc = dbot_verifier_new(&l->verifier, d->cfg->public_key);
    if (rc < 0) {
        LOG_E("interactions",
              "public_key: %s (it must be the Developer Portal's Public Key)",
              dbot_strerror(rc));
        free(l);
        return rc;
    }
    *out = l;
    return 0;
}

int
dbot__http_ix_start(struct dbot__http_ix *l)
{
    const struct dbot_config *cfg = l->d.cfg;
    struct dbot__http_opts o = {
        .host = cfg->interactions_host,
        .port = cfg->interactions_port,
        .max_connections = MAX_CONNECTIONS,
        .max_per_ip = MAX_CONNECTIONS,
        .timeout_ms = cfg->interactions_timeout_ms,
        .post_fn = on_post,
        .max_body = (size_t)cfg->interactions_max_body,
        .post_headers = { "x-signature-ed25519:", "x-signature-timestamp:" },
        .what = "interactions",
    };
    int rc;

    if (l->http)
        return 0;
    rc = dbot__http_start(&l->http, l->d.ctx, &o, on_get, l);
    if (rc == 0)
        LOG_I("interactions", "Interactions Endpoint: POST %s on port %d",
              cfg->interactions_path, dbot__http_port(l->http));
    return rc;
}

void
dbot__http_ix_stop(struct dbot__http_ix *l)
{
    if (!l)
        return;
    if (l->http)
        dbot__http_stop(l->http);
    l->http = NULL;
    /* Answers already written: settled now, before the context goes. */
    while (l->settling) {
        lws_sul_cancel(&l->settling->settle_sul);
        settled(l->settling);
    }
}

int
dbot__http_ix_inflight(const struct dbot__http_ix *l)
{
    return l ? l->inflight : 0;
}

int
dbot__http_ix_port(const struct dbot__http_ix *l)
{
    return l && l->http ? dbot__http_port(l->http) : -1;
}

void
dbot__http_ix_stats(const struct dbot__http_ix *l,
                    struct dbot__http_ix_stats *out)
{
    *out = l->st;
    out->listening = l->http != NULL;
    out->port = dbot__http_ix_port(l);
    if (l->http) {
        struct dbot__http_stats hs;

        dbot__http_stats(l->http, &hs);
        out->open = hs.open;
        memcpy(out->by_status, hs.by_status, sizeof out->by_status);
    }
}

void
dbot__http_ix_free(struct dbot__http_ix *l)
{
    if (!l)
        return;
    dbot__http_ix_stop(l);
    dbot_verifier_free(l->verifier);
    free(l);
}
