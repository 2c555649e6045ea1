/*
 * rest_request.c: one REST request: copying it off the caller, building
 * its curl transfer, reading the response and shaping the result.
 *
 * DESIGN. Everything here runs on the REST thread except
 * dbot__rest_req_new (loop thread, at submit) and dbot__rest_done_run
 * (loop thread, through deliver). A request keeps its own copies of
 * method, path, body and upload data, so the caller's buffers are free the
 * moment submit returns. Each attempt gets a fresh easy handle (connections
 * live in the multi handle's pool, so nothing is lost) and a fresh mime
 * tree, which is what lets a retried upload re-read its file.
 *
 * The response body is bounded: the Content-Length header or the running
 * total crossing max_body aborts the transfer, which then fails with
 * DBOT_ETOOBIG instead of growing without bound. JSON is parsed here, off
 * the loop. The result message never contains the path (it may hold a
 * webhook or interaction token) and never a header: the route template is
 * what gets logged.
 */
#include "rest_request.h"

#include "log.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct dbot__rest_done {
    dbot__rest_cb cb;
    void *ud;
    dbot_rest_result res;
    cJSON *json;
    char *body;
    char msg[384];
};

/* ---- copying a call --------------------------------------------------- */

static char *
dup_or_null(const char *s, int *err)
{
    char *d;

    if (!s)
        return NULL;
    d = strdup(s);
    if (!d)
        *err = DBOT_ENOMEM;
    return d;
}

struct dbot__rest_req *
dbot__rest_req_new(const struct dbot__rest_call *c, dbot__rest_cb cb, void *ud,
                   int *err)
{
    struct dbot__rest_req *q;
    int rc;

    *err = 0;
    if (!c || !c->method || !c->path || strlen(c->method) >= 8 ||
        c->nfiles > DBOT__REST_MAX_FILES || (c->nfiles && !c->files)) {
        *err = DBOT_EINVAL;
        return NULL;
    }
    q = calloc(1, sizeof *q);
    if (!q) {
        *err = DBOT_ENOMEM;
        return NULL;
    }
    /* One parse of the path gives the loggable route, the limiter's top
     * id and the class (dbot__rl_submit_keyed takes them as they are). */
    rc = dbot__rl_route_key_flags(c->method, c->path, q->route, sizeof q->route,
                                  q->top, sizeof q->top, &q->flags);
    if (rc < 0) {
        free(q);
        *err = DBOT_EINVAL;
        return NULL;
    }
    memcpy(q->method, c->method, strlen(c->method) + 1);
    q->cb = cb;
    q->ud = ud;
    q->deliver = c->deliver;
    q->deliver_ctx = c->deliver_ctx;
    q->path = dup_or_null(c->path, err);
    q->reason = dup_or_null(c->reason, err);
    if (c->body) {
        q->body = malloc(c->body_len + 1);
        if (q->body) {
            memcpy(q->body, c->body, c->body_len);
            q->body[c->body_len] = '\0';
            q->body_len = c->body_len;
        } else {
            *err = DBOT_ENOMEM;
        }
    }
    if (c->nfiles && !*err) {
        q->files = calloc(c->nfiles, sizeof *q->files);
        if (!q->files)
            *err = DBOT_ENOMEM;
        else
            q->nfiles = c->nfiles;
    }
    for (size_t i = 0; i < q->nfiles && !*err; i++) {
        const dbot_rest_file *f = &c->files[i];
        struct dbot__rest_file_copy *d = &q->files[i];

        /* Either a path or data; data may be empty (len 0). */
        if (!f->filename || (!f->path && !f->data && f->len)) {
            *err = DBOT_EINVAL;
            break;
        }
        d->filename = dup_or_null(f->filename, err);
        d->content_type = dup_or_null(f->content_type, err);
        d->path = dup_or_null(f->path, err);
        if (!f->path) {
            d->data = malloc(f->len ? f->len : 1);
            if (!d->data) {
                *err = DBOT_ENOMEM;
                break;
            }
            if (f->len)
                memcpy(d->data, f->data, f->len);
            d->len = f->len;
        }
    }
    if (*err) {
        dbot__rest_req_free(q);
        return NULL;
    }
    return q;
}

void
dbot__rest_req_end_transfer(struct dbot__rest_req *q)
{
    if (q->easy)
        curl_easy_cleanup(q->easy);
    q->easy = NULL;
    curl_mime_free(q->mime);
    q->mime = NULL;
    curl_slist_free_all(q->hdrs);
    q->hdrs = NULL;
    free(q->resp);
    q->resp = NULL;
    q->resp_len = q->resp_cap = 0;
}

void
dbot__rest_req_free(struct dbot__rest_req *q)
{
    if (!q)
        return;
    dbot__rest_req_end_transfer(q);
    for (size_t i = 0; i < q->nfiles; i++) {
        free(q->files[i].filename);
        free(q->files[i].content_type);
        free(q->files[i].data);
        free(q->files[i].path);
    }
    free(q->files);
    free(q->path);
    free(q->body);
    free(q->reason);
    free(q);
}

/* ---- response callbacks ----------------------------------------------- */

static int
parse_int(const char *s, size_t n)
{
    long v = 0;

    if (n == 0 || n > 9)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return (int)v;
}

static void
reset_captured(struct dbot__rest_req *q)
{
    q->h_bucket[0] = q->h_scope[0] = '\0';
    q->h_limit = q->h_remaining = -1;
    q->h_global = 0;
    q->h_reset_after = q->h_retry_after = -1;
}

static bool
name_is(const char *line, size_t nlen, const char *name)
{
    return strlen(name) == nlen && strncasecmp(line, name, nlen) == 0;
}

static void
copy_val(char *dst, size_t cap, const char *v, size_t n)
{
    if (n >= cap) {
        dst[0] = '\0'; /* implausible: treat as absent */
        return;
    }
    memcpy(dst, v, n);
    dst[n] = '\0';
}

static size_t
on_header(char *buf, size_t size, size_t nitems, void *arg)
{
    struct dbot__rest_req *q = arg;
    size_t len = size * nitems, nlen, vlen;
    const char *colon, *v;

    if (len >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
        reset_captured(q); /* a new response (after 100 Continue, say) */
        return len;
    }
    colon = memchr(buf, ':', len);
    if (!colon)
        return len;
    nlen = (size_t)(colon - buf);
    v = colon + 1;
    vlen = len - nlen - 1;
    while (vlen && (*v == ' ' || *v == '\t')) {
        v++;
        vlen--;
    }
    while (vlen && isspace((unsigned char)v[vlen - 1]))
        vlen--;
    if (name_is(buf, nlen, "x-ratelimit-bucket"))
        copy_val(q->h_bucket, sizeof q->h_bucket, v, vlen);
    else if (name_is(buf, nlen, "x-ratelimit-limit"))
        q->h_limit = parse_int(v, vlen);
    else if (name_is(buf, nlen, "x-ratelimit-remaining"))
        q->h_remaining = parse_int(v, vlen);
    else if (name_is(buf, nlen, "x-ratelimit-reset-after"))
        q->h_reset_after = dbot__rl_parse_seconds(v, vlen);
    else if (name_is(buf, nlen, "x-ratelimit-scope"))
        copy_val(q->h_scope, sizeof q->h_scope, v, vlen);
    else if (name_is(buf, nlen, "x-ratelimit-global"))
        q->h_global = vlen == 4 && strncasecmp(v, "true", 4) == 0;
    else if (name_is(buf, nlen, "retry-after"))
        q->h_retry_after = dbot__rl_parse_seconds(v, vlen);
    return len;
}

static size_t
on_body(char *buf, size_t size, size_t nitems, void *arg)
{
    struct dbot__rest_req *q = arg;
    size_t len = size * nitems;

    if (len > q->max_body - q->resp_len) {
        q->too_big = true;
        return 0; /* abort: CURLE_WRITE_ERROR */
    }
    if (q->resp_len + len + 1 > q->resp_cap) {
        size_t cap = q->resp_cap ? q->resp_cap : 4096;
        char *p;

        while (cap < q->resp_len + len + 1)
            cap *= 2;
        if (cap > q->max_body + 1)
            cap = q->max_body + 1;
        p = realloc(q->resp, cap);
        if (!p)
            return 0;
        q->resp = p;
        q->resp_cap = cap;
    }
    memcpy(q->resp + q->resp_len, buf, len);
    q->resp_len += len;
    q->resp[q->resp_len] = '\0';
    return len;
}

/* ---- building the transfer -------------------------------------------- */

#if LIBCURL_VERSION_NUM >= 0x075000 /* 7.80.0: CURLOPT_PREREQFUNCTION */
/* Runs each time curl is about to send the request, on a new or reused
 * connection: twice for one attempt means curl resent it by itself. */
static int
on_prereq(void *arg, char *primary_ip, char *local_ip, int primary_port,
          int local_port)
{
    struct dbot__rest_req *q = arg;

    (void)primary_ip;
    (void)local_ip;
    (void)primary_port;
    (void)local_port;
    q->sends++;
    return CURL_PREREQFUNC_OK;
}
#endif

static int
add_header(struct dbot__rest_req *q, const char *h)
{
    struct curl_slist *l = curl_slist_append(q->hdrs, h);

    if (!l)
        return DBOT_ENOMEM;
    q->hdrs = l;
    return 0;
}

static int
build_mime(struct dbot__rest_req *q)
{
    curl_mimepart *part;

    q->mime = curl_mime_init(q->easy);
    if (!q->mime)
        return DBOT_ENOMEM;
    part = curl_mime_addpart(q->mime);
    if (!part || curl_mime_name(part, "payload_json") != CURLE_OK ||
        curl_mime_data(part, q->body ? q->body : "{}",
                       q->body ? q->body_len : 2) != CURLE_OK ||
        curl_mime_type(part, "application/json") != CURLE_OK)
        return DBOT_ENOMEM;
    for (size_t i = 0; i < q->nfiles; i++) {
        const struct dbot__rest_file_copy *f = &q->files[i];
        char name[32];

        snprintf(name, sizeof name, "files[%zu]", i);
        part = curl_mime_addpart(q->mime);
        if (!part || curl_mime_name(part, name) != CURLE_OK)
            return DBOT_ENOMEM;
        if (f->path) {
            /* Opens and stats the file: we are on the REST thread. */
            if (curl_mime_filedata(part, f->path) != CURLE_OK) {
                q->file_error = true;
                snprintf(q->errbuf, sizeof q->errbuf,
                         "cannot read upload file for %s (\"%s\")", name,
                         f->filename);
                return DBOT_ENOENT;
            }
        } else if (curl_mime_data(part, f->data, f->len) != CURLE_OK) {
            return DBOT_ENOMEM;
        }
        if (curl_mime_filename(part, f->filename) != CURLE_OK ||
            curl_mime_type(part, f->content_type
                                     ? f->content_type
                                     : "application/octet-stream") != CURLE_OK)
            return DBOT_ENOMEM;
    }
    return 0;
}

static int
set_body(struct dbot__rest_req *q)
{
    CURL *e = q->easy;
    int rc;

    if (strcmp(q->method, "GET") == 0) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
        return 0;
    }
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, q->method);
    if (q->nfiles) {
        rc = build_mime(q);
        if (rc < 0)
            return rc;
        curl_easy_setopt(e, CURLOPT_MIMEPOST, q->mime);
        return 0;
    }
    if (q->body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)q->body_len);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, q->body);
        return add_header(q, "Content-Type: application/json");
    }
    if (strcmp(q->method, "DELETE") != 0) {
        /* POST/PUT/PATCH without a body still sends Content-Length: 0,
         * and no form content type. */
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
        return add_header(q, "Content-Type:");
    }
    return 0;
}

int
dbot__rest_req_start(struct dbot__rest_req *q,
                     const struct dbot__rest_conf *conf, CURL *reuse)
{
    size_t ulen = strlen(conf->api_url) + strlen(q->path) + 1;
    char *url;
    CURL *e;
    int rc;

    dbot__rest_req_end_transfer(q);
    reset_captured(q);
    q->too_big = q->file_error = false;
    q->errbuf[0] = '\0';
    q->max_body = conf->max_body;
    e = q->easy = reuse ? reuse : curl_easy_init();
    url = malloc(ulen);
    if (!e || !url) {
        free(url);
        return DBOT_ENOMEM;
    }
    snprintf(url, ulen, "%s%s", conf->api_url, q->path);
    curl_easy_setopt(e, CURLOPT_URL, url);
    free(url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, q);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, q->errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, q);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, q);
    curl_easy_setopt(e, CURLOPT_USERAGENT, conf->user_agent);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, conf->connect_timeout_ms);
    /* An acknowledgement that has not landed 2 s past its 3 s deadline is
     * dead anyway: fail it promptly instead of after the long timeout. */
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                     (q->flags & DBOT__RL_INTERACTION) &&
                             conf->timeout_ms > DBOT__REST_IX_DEADLINE_MS + 2000
                         ? (long)DBOT__REST_IX_DEADLINE_MS + 2000
                         : conf->timeout_ms);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    /* curl resends a request by itself when the reused connection it went
     * out on dies before any answer (Curl_retry_request), although the
     * server may have read and carried it out. A request that is not
     * idempotent (a webhook execution) therefore takes a new connection:
     * one handshake, against a duplicate message. Idempotent ones keep
     * the pool; on_prereq counts curl's resends, so that a callback's
     * 40060 after one reads as "the first one landed". */
    q->sends = 0;
#if LIBCURL_VERSION_NUM >= 0x075000
    curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prereq);
    curl_easy_setopt(e, CURLOPT_PREREQDATA, q);
    if (!q->idempotent)
        curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
#else
    /* Without a way to see curl's own resend, an interaction callback
     * could not tell its 40060 from a real double acknowledgement. */
    if (!q->idempotent || (q->flags & DBOT__RL_INTERACTION))
        curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
#endif
    /* Compressed answers pay off for large bodies (member lists, message
     * history). An interaction callback's answer is empty or a few
     * hundred bytes, and the header costs curl a formatted line per
     * request on the loop lane's hot path. */
    if (!(q->flags & DBOT__RL_INTERACTION))
        curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)conf->max_body);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
    if (!conf->tls_verify) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (conf->ca_file) {
        curl_easy_setopt(e, CURLOPT_CAINFO, conf->ca_file);
    } else if (conf->ca_dir) {
        /* No bundle parsed into curl's cached store (~0.9 MB): the
         * hashed directory, read per certificate needed (tls_ca.h). */
        curl_easy_setopt(e, CURLOPT_CAINFO, NULL);
        curl_easy_setopt(e, CURLOPT_CAPATH, conf->ca_dir);
    }
    /* Token routes (interaction callbacks, webhook followups) authenticate
     * by the token in the path; the bot token is not sent there. */
    if (conf->auth && !(q->flags & DBOT__RL_TOKEN) &&
        (rc = add_header(q, conf->auth)) < 0)
        return rc;
    if ((rc = add_header(q, "Expect:")) < 0)
        return rc;
    if (q->reason && q->reason[0]) {
        char *enc = curl_easy_escape(e, q->reason, 0);
        char *h = enc ? malloc(strlen(enc) + 32) : NULL;

        if (h) {
            sprintf(h, "X-Audit-Log-Reason: %s", enc);
            rc = add_header(q, h);
        } else {
            rc = DBOT_ENOMEM;
        }
        free(h);
        curl_free(enc);
        if (rc < 0)
            return rc;
    }
    if ((rc = set_body(q)) < 0)
        return rc;
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, q->hdrs);
    q->attempts++;
    return 0;
}

/* ---- reading the response --------------------------------------------- */

static cJSON *
parse_json(const char *s, size_t len)
{
    const char *end = NULL;
    cJSON *j;

    if (!s || !len)
        return NULL;
    j = cJSON_ParseWithLengthOpts(s, len, &end, 0);
    if (j && end) {
        /* Trailing whitespace is fine, trailing garbage is not. */
        while (end < s + len && isspace((unsigned char)*end))
            end++;
        if (end != s + len) {
            cJSON_Delete(j);
            j = NULL;
        }
    }
    return j;
}

bool
dbot__rest_req_has_code(const struct dbot__rest_req *q, int code)
{
    cJSON *j = parse_json(q->resp, q->resp_len);
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(j, "code");
    bool has = cJSON_IsNumber(c) && c->valueint == code;

    cJSON_Delete(j);
    return has;
}

/* ---- retry safety ----------------------------------------------------- */

/* An edit sets the fields it names to the values it gives: applying it
 * twice leaves the message as applying it once. */
static bool
message_edit(const struct dbot__rest_req *q)
{
    static const char *const routes[] = {
        "PATCH /channels/{id}/messages/{*}",
        "PATCH /webhooks/{id}/{token}/messages/{*}",
        "PATCH /webhooks/{id}/{token}/messages/@original",
    };

    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (strcmp(q->route, routes[i]) == 0)
            return true;
    return false;
}

/* Insert `"nonce":"<nonce>",` (and enforce_nonce unless the body has it)
 * right after the body's opening brace. Textual, so the caller's JSON
 * reaches Discord as written: reprinting it through cJSON would round
 * integer ids past 2^53. */
static int
insert_nonce(struct dbot__rest_req *q, const char *nonce, bool add_enforce)
{
    const char *open = memchr(q->body, '{', q->body_len), *p;
    char ins[64];
    size_t off, n;
    char *b;

    if (!open)
        return 0; /* cannot happen: the body parsed as an object */
    off = (size_t)(open - q->body) + 1;
    for (p = open + 1; p < q->body + q->body_len && isspace((unsigned char)*p);
         p++)
        ;
    n = (size_t)snprintf(ins, sizeof ins, "\"nonce\":\"%s\"%s%s", nonce,
                         add_enforce ? ",\"enforce_nonce\":true" : "",
                         p < q->body + q->body_len && *p == '}' ? "" : ",");
    b = malloc(q->body_len + n + 1);
    if (!b)
        return DBOT_ENOMEM;
    memcpy(b, q->body, off);
    memcpy(b + off, ins, n);
    memcpy(b + off + n, q->body + off, q->body_len - off);
    b[q->body_len + n] = '\0';
    free(q->body);
    q->body = b;
    q->body_len += n;
    return 0;
}

int
dbot__rest_req_prepare(struct dbot__rest_req *q, const char *nonce)
{
    const cJSON *n, *e;
    cJSON *j;
    int rc = 0;

    if (strcmp(q->method, "GET") == 0 || strcmp(q->method, "PUT") == 0 ||
        strcmp(q->method, "DELETE") == 0 || message_edit(q) ||
        (q->flags & DBOT__RL_INTERACTION)) {
        /* A resent interaction callback earns 40060 at worst, which
         * finished() reads as "the first one landed". */
        q->idempotent = true;
        return 0;
    }
    if (strcmp(q->route, "POST /channels/{id}/messages") != 0 || !q->body)
        return 0;
    j = parse_json(q->body, q->body_len);
    n = cJSON_GetObjectItemCaseSensitive(j, "nonce");
    e = cJSON_GetObjectItemCaseSensitive(j, "enforce_nonce");
    if (!cJSON_IsObject(j)) {
        /* Discord refuses it; nothing to make safe. */
    } else if (n) {
        /* The caller's own nonce: safe to resend only if enforced. */
        q->idempotent = cJSON_IsTrue(e);
    } else if (!e || cJSON_IsTrue(e)) {
        rc = insert_nonce(q, nonce, !e);
        q->idempotent = rc == 0;
    }
    /* "enforce_nonce": false without a nonce: the caller opted out. */
    cJSON_Delete(j);
    return rc;
}

void
dbot__rest_req_rl_resp(const struct dbot__rest_req *q, int status,
                       struct dbot__rl_resp *r)
{
    r->status = status;
    r->bucket = q->h_bucket[0] ? q->h_bucket : NULL;
    r->limit = q->h_limit;
    r->remaining = q->h_remaining;
    r->reset_after = q->h_reset_after;
    r->scope = q->h_scope[0] ? q->h_scope : NULL;
    r->global = q->h_global;
    r->retry_after = q->h_retry_after;
    if (status == 429) {
        cJSON *j = parse_json(q->resp, q->resp_len);
        const cJSON *ra = cJSON_GetObjectItemCaseSensitive(j, "retry_after");
        const cJSON *g = cJSON_GetObjectItemCaseSensitive(j, "global");

        /* Any size: the limiter clamps every wait (dbot__rl_wait_ms). */
        if (cJSON_IsNumber(ra) && ra->valuedouble >= 0)
            r->retry_after = ra->valuedouble;
        if (cJSON_IsTrue(g))
            r->global = 1;
        cJSON_Delete(j);
    }
}

/* ---- completions ------------------------------------------------------ */

struct dbot__rest_done *
dbot__rest_done_new(struct dbot__rest_req *q, int status, int err,
                    const char *msg)
{
    struct dbot__rest_done *d = calloc(1, sizeof *d);

    if (!d)
        return NULL;
    d->cb = q->cb;
    d->ud = q->ud;
    d->body = q->resp ? q->resp : strdup("");
    d->res.body_len = q->resp ? q->resp_len : 0;
    q->resp = NULL;
    q->resp_len = q->resp_cap = 0;
    if (!d->body) {
        free(d);
        return NULL;
    }
    d->res.status = status;
    d->res.body = d->body;
    if (status && d->res.body_len)
        d->json = parse_json(d->body, d->res.body_len);
    d->res.json = d->json;
    {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(d->json, "code");

        if (status >= 300 && cJSON_IsNumber(code))
            d->res.discord_code = code->valueint;
    }
    if (q->landed) {
        /* A retried interaction callback answered 40060: an earlier
         * attempt was acknowledged. The caller gets success, with
         * Discord's status and code to tell. */
        err = 0;
    } else if (!err && status >= 200 && status < 300) {
        if (d->res.body_len && !d->json) {
            err = DBOT_EJSON;
            snprintf(d->msg, sizeof d->msg,
                     "%s: HTTP %d but the body is not valid JSON "
                     "(%zu bytes)",
                     q->route, status, d->res.body_len);
        }
    } else if (!err) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(d->json, "message");
        /* On token routes a 401 is about the webhook or interaction token
         * (50027), not the bot token. */
        bool bot_auth = status == 401 && !(q->flags & DBOT__RL_TOKEN);

        err = bot_auth        ? DBOT_EAUTH
              : status == 429 ? DBOT_ERATELIMIT
                              : DBOT_EHTTP;
        if (bot_auth)
            snprintf(d->msg, sizeof d->msg,
                     "%s: HTTP 401 Unauthorized: check the token", q->route);
        else if (cJSON_IsString(m))
            snprintf(d->msg, sizeof d->msg, "%s: HTTP %d: %s (code %d)",
                     q->route, status, m->valuestring, d->res.discord_code);
        else
            snprintf(d->msg, sizeof d->msg, "%s: HTTP %d%s", q->route, status,
                     d->res.body_len ? " (body is not JSON)" : "");
    }
    if (msg)
        snprintf(d->msg, sizeof d->msg, "%s: %s", q->route, msg);
    d->res.err = err;
    d->res.message = err ? d->msg : NULL;
    return d;
}

int
dbot__rest_done_err(const struct dbot__rest_done *d, const char **msg)
{
    if (msg)
        *msg = d->res.message;
    return d->res.err;
}

void
dbot__rest_done_free(struct dbot__rest_done *d)
{
    if (!d)
        return;
    cJSON_Delete(d->json);
    free(d->body);
    free(d);
}

void
dbot__rest_done_run(void *arg)
{
    struct dbot__rest_done *d = arg;

    if (d->cb)
        d->cb(&d->res, d->ud);
    dbot__rest_done_free(d);
}
