/*
 * fake_rest.c: HTTP intake for the fake.
 *
 * DESIGN. Each HTTP transaction gets an fc_http. LWS_CALLBACK_HTTP records
 * the request (method, path, the headers tests look at, arrival time); the
 * body, if any, is collected until BODY_COMPLETION. Then, in order: a
 * scripted rule may answer instead (and may only delay), the global and
 * route rate limits may refuse with a Discord 429, else the route answers
 * (fake_routes.c). A rule with after_effect lets the route run and then
 * replaces its answer (a 5xx, or a drop): the work was done, the answer
 * lost, as when Discord's edge fails after its backend acted. The answer
 * is written from HTTP_WRITEABLE, right away
 * or when the rule's sul timer fires, so a slow answer never blocks the
 * loop. Every answer on a limited route carries the X-RateLimit headers.
 */
#include "fake_rest.h"
#include "fake_routes.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define API_PREFIX "/api/v10"

static const char *
status_text(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Error";
    }
}

void
fc_http_reply(struct fc_http *h, int status, const char *body)
{
    size_t n = body ? strlen(body) : 0;

    free(h->resp);
    h->status = status;
    h->resp = malloc(LWS_PRE + n + 1);
    h->resp_len = h->resp ? n : 0;
    if (h->resp && n)
        memcpy(h->resp + LWS_PRE, body, n);
}

void
fc_http_reply_json(struct fc_http *h, int status, cJSON *body)
{
    char *s = body ? cJSON_PrintUnformatted(body) : NULL;

    fc_http_reply(h, status, s);
    free(s);
    cJSON_Delete(body);
}

void
fc_http_error(struct fc_http *h, int status, int code, const char *msg)
{
    char buf[512];

    snprintf(buf, sizeof buf, "{\"code\":%d,\"message\":\"%s\"}", code, msg);
    fc_http_reply(h, status, buf);
}

struct fakecord_request *
fc_http_record(struct fakecord *fc, struct fc_http *h)
{
    return h->req_index >= 0 ? &fc->reqs[h->req_index] : NULL;
}

static void add_header(struct fc_http *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
add_header(struct fc_http *h, const char *fmt, ...)
{
    char line[512];
    size_t old = h->resp_headers ? strlen(h->resp_headers) : 0;
    size_t n;
    char *nh;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    n = strlen(line);
    nh = realloc(h->resp_headers, old + n + 3);
    if (!nh)
        return;
    memcpy(nh + old, line, n);
    memcpy(nh + old + n, "\r\n", 3);
    h->resp_headers = nh;
}

static char *
hdr_dup(struct lws *wsi, enum lws_token_indexes t)
{
    int n = lws_hdr_total_length(wsi, t);
    char *s;

    if (n <= 0)
        return strdup("");
    s = malloc((size_t)n + 1);
    if (s && lws_hdr_copy(wsi, s, n + 1, t) < 0)
        s[0] = '\0';
    return s;
}

static char *
custom_dup(struct lws *wsi, const char *name)
{
    int nl = (int)strlen(name);
    int n = lws_hdr_custom_length(wsi, name, nl);
    char *s;

    if (n <= 0)
        return strdup("");
    s = malloc((size_t)n + 1);
    if (s && lws_hdr_custom_copy(wsi, s, n + 1, name, nl) < 0)
        s[0] = '\0';
    return s;
}

/* Every header lws parses by name, plus Discord's own X- headers, as
 * "name: value" lines (names lowercase, as lws stores them). */
static char *
headers_dup(struct lws *wsi)
{
    static const char *custom[] = {
        "x-audit-log-reason:", "x-ratelimit-precision:", "x-signature-ed25519:",
        "x-signature-timestamp:"
    };
    size_t len = 0, cap = 1024;
    char *out = malloc(cap);

    if (!out)
        return NULL;
    out[0] = '\0';
    for (int t = WSI_TOKEN_HOST;
         t < WSI_TOKEN_COUNT + (int)(sizeof custom / sizeof custom[0]); t++) {
        const char *name;
        char *val;
        size_t need;

        if (t < WSI_TOKEN_COUNT) {
            name = (const char *)lws_token_to_string((enum lws_token_indexes)t);
            if (!name || !*name || name[strlen(name) - 1] != ':' ||
                lws_hdr_total_length(wsi, (enum lws_token_indexes)t) <= 0)
                continue;
            val = hdr_dup(wsi, (enum lws_token_indexes)t);
        } else {
            name = custom[t - WSI_TOKEN_COUNT];
            if (lws_hdr_custom_length(wsi, name, (int)strlen(name)) <= 0)
                continue;
            val = custom_dup(wsi, name);
        }
        if (!val)
            continue;
        need = len + strlen(name) + strlen(val) + 3;
        if (need > cap) {
            char *n = realloc(out, need * 2);
            if (!n) {
                free(val);
                break;
            }
            out = n;
            cap = need * 2;
        }
        len += (size_t)snprintf(out + len, cap - len, "%s %s\n", name, val);
        free(val);
    }
    return out;
}

static const struct {
    enum lws_token_indexes tok;
    const char *name;
} methods[] = {
    { WSI_TOKEN_GET_URI, "GET" },       { WSI_TOKEN_POST_URI, "POST" },
    { WSI_TOKEN_PUT_URI, "PUT" },       { WSI_TOKEN_PATCH_URI, "PATCH" },
    { WSI_TOKEN_DELETE_URI, "DELETE" }, { WSI_TOKEN_OPTIONS_URI, "OPTIONS" },
    { WSI_TOKEN_HEAD_URI, "HEAD" },
};

static void
http_free(struct fc_http *h)
{
    if (!h)
        return;
    lws_sul_cancel(&h->sul);
    free(h->path);
    free(h->query);
    free(h->body);
    free(h->resp);
    free(h->resp_headers);
    free(h);
}

static int
on_http(struct fakecord *fc, struct lws *wsi, struct fc_pss *pss,
        const char *uri)
{
    struct fakecord_request r;
    struct fc_http *h;
    char clen[32], *full;
    size_t n;

    http_free(pss->http);
    pss->http = h = calloc(1, sizeof *h);
    if (!h)
        return -1;
    h->wsi = wsi;
    h->req_index = -1;
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (lws_hdr_total_length(wsi, methods[i].tok) > 0)
            snprintf(h->method, sizeof h->method, "%s", methods[i].name);
    h->query = hdr_dup(wsi, WSI_TOKEN_HTTP_URI_ARGS);
    h->path = strdup(uri ? uri : "/");
    if (!h->path || !h->query)
        return -1;

    memset(&r, 0, sizeof r);
    snprintf(r.method, sizeof r.method, "%s", h->method);
    n = strlen(h->path) + strlen(h->query) + 2;
    full = malloc(n);
    if (full)
        snprintf(full, n, "%s%s%s", h->path, *h->query ? "?" : "", h->query);
    r.path = full;
    r.authorization = hdr_dup(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
    r.user_agent = hdr_dup(wsi, WSI_TOKEN_HTTP_USER_AGENT);
    r.content_type = hdr_dup(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE);
    r.audit_reason = custom_dup(wsi, "x-audit-log-reason:");
    r.headers = headers_dup(wsi);
    r.body = (unsigned char *)strdup("");
    r.t_ms = fc_now_ms() - fc->t0_ms;
    h->req_index = fc_request_add(fc, &r);
    if (h->req_index < 0) {
        free(r.path);
        free(r.authorization);
        free(r.user_agent);
        free(r.content_type);
        free(r.audit_reason);
        free(r.headers);
        free(r.body);
    }
    fc->st.rest_requests++;

    clen[0] = '\0';
    if (lws_hdr_copy(wsi, clen, sizeof clen, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0)
        h->expect_len = (size_t)strtoull(clen, NULL, 10);
    if (h->expect_len &&
        lws_hdr_copy(wsi, clen, sizeof clen, WSI_TOKEN_HTTP_EXPECT) > 0 &&
        !strcasecmp(clen, "100-continue")) {
        /* lws 4.1 never answers Expect, so curl would stall 1 s before
         * each big upload. Nothing else is queued on this socket yet, so
         * the interim response can go straight out. */
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

        if (send(lws_get_socket_fd(wsi), cont, sizeof cont - 1, MSG_NOSIGNAL) <
            0)
            return -1;
    }
    return 0;
}

static int
body_append(struct fc_http *h, const void *in, size_t len)
{
    if (h->body_len + len + 1 > h->body_cap) {
        size_t cap = (h->body_len + len + 1) * 2;
        unsigned char *n = realloc(h->body, cap);
        if (!n)
            return -1;
        h->body = n;
        h->body_cap = cap;
    }
    memcpy(h->body + h->body_len, in, len);
    h->body_len += len;
    h->body[h->body_len] = '\0';
    return 0;
}

static struct fc_rule *
rule_match(struct fakecord *fc, struct fc_http *h, const char *api_path)
{
    for (struct fc_rule *r = fc->rules; r; r = r->next) {
        if (r->count == 0)
            continue;
        if (r->method && strcmp(r->method, h->method))
            continue;
        if (r->prefix && strncmp(api_path, r->prefix, strlen(r->prefix)))
            continue;
        if (r->count > 0)
            r->count--;
        return r;
    }
    return NULL;
}

static void
rule_headers(struct fc_http *h, const char *hdrs)
{
    const char *p = hdrs;

    while (p && *p) {
        const char *e = strstr(p, "\r\n");
        size_t n = e ? (size_t)(e - p) : strlen(p);

        if (n)
            add_header(h, "%.*s", (int)n, p);
        p = e ? e + 2 : p + n;
    }
}

static void
ratelimit_headers(struct fc_http *h, const struct fc_rl_verdict *v)
{
    double after = v->reset_after_ms > 0 ? v->reset_after_ms / 1000.0 : 0;

    add_header(h, "X-RateLimit-Limit: %d", v->limit);
    add_header(h, "X-RateLimit-Remaining: %d", v->remaining);
    add_header(h, "X-RateLimit-Reset: %.3f", fc_wall_s() + after);
    add_header(h, "X-RateLimit-Reset-After: %.3f", after);
    add_header(h, "X-RateLimit-Bucket: %s", v->hash);
}

static void
reply_429(struct fakecord *fc, struct fc_http *h, const struct fc_rl_verdict *v)
{
    double after = v->reset_after_ms > 0 ? v->reset_after_ms / 1000.0 : 0.001;
    int global = v->verdict == FC_RL_GLOBAL;
    char body[160];

    snprintf(body, sizeof body,
             "{\"message\":\"You are being rate limited.\",\"retry_after\":%.3f"
             ",\"global\":%s}",
             after, global ? "true" : "false");
    fc_http_reply(h, 429, body);
    add_header(h, "Retry-After: %d", (int)(after + 0.999));
    add_header(h, "X-RateLimit-Scope: %s", global ? "global" : "user");
    if (global)
        add_header(h, "X-RateLimit-Global: true");
    fc->st.rest_429s++;
    fc_violation(fc,
                 global ? "rest: over the global limit (%s %s)"
                        : "rest: request while bucket empty (%s %s)",
                 h->method, h->path);
}

static void
sul_ready(lws_sorted_usec_list_t *sul)
{
    struct fc_http *h = lws_container_of(sul, struct fc_http, sul);

    h->ready = 1;
    lws_callback_on_writable(h->wsi);
}

/* The whole request is in: decide the answer and schedule writing it. */
static void
answer(struct fakecord *fc, struct fc_http *h)
{
    struct fakecord_request *rec = fc_http_record(fc, h);
    const char *api = h->path;
    struct fc_rule *rule = NULL;
    struct fc_rl_verdict v;
    int delay = 0;

    if (rec) {
        free(rec->body);
        rec->body = (unsigned char *)fc_memdup(h->body ? (char *)h->body : "",
                                               h->body_len);
        rec->body_len = rec->body ? h->body_len : 0;
    }
    h->ctype = "application/json";
    /* Cloudflare may block other agents (40333): flag, but answer. The
     * sandbox's own pages (/api/v10/sandbox/...) are not Discord routes:
     * bots fetch them like any web page. */
    if (rec && strncmp(rec->user_agent, "DiscordBot (", 12) &&
        strncmp(h->path, API_PREFIX "/sandbox/", strlen(API_PREFIX) + 9))
        fc_violation(fc, "rest: User-Agent is not DiscordBot (url, version)");
    if (strncmp(api, API_PREFIX "/", strlen(API_PREFIX) + 1)) {
        fc_http_error(h, 404, 0, "404: Not Found");
        goto out;
    }
    api += strlen(API_PREFIX);

    rule = rule_match(fc, h, api);
    if (rule) {
        delay = rule->delay_ms;
        h->truncate = rule->truncate;
        rule_headers(h, rule->headers);
    }
    if (rule && rule->drop && !rule->after_effect) {
        h->drop = 1; /* read, never acted on, never answered */
        goto out;
    }
    if (rule && rule->status && !rule->after_effect) {
        char dflt[160];
        const char *b = rule->body;

        if (rule->status == 429) {
            fc->st.rest_429s++;
            /* Discord never sends a 429 without these. */
            if (!rule->headers || !strcasestr(rule->headers, "retry-after:"))
                add_header(h, "Retry-After: 1");
            if (!rule->headers ||
                !strcasestr(rule->headers, "x-ratelimit-scope:"))
                add_header(h, "X-RateLimit-Scope: user");
        }
        if (!b && rule->status == 429) {
            b = "{\"message\":\"You are being rate limited.\","
                "\"retry_after\":1.0,\"global\":false}";
        } else if (!b) {
            snprintf(dflt, sizeof dflt, "{\"code\":0,\"message\":\"%d: %s\"}",
                     rule->status, status_text(rule->status));
            b = dflt;
        }
        fc_http_reply(h, rule->status, b);
        if (b == rule->body) {
            cJSON *j = cJSON_Parse(b);
            if (!j)
                h->ctype = "text/html";
            cJSON_Delete(j);
        }
        goto out;
    }
    h->lost = rule && rule->after_effect && (rule->status || rule->drop);

    fc_rl_check(&fc->rl, h->method, api, fc_now_ms(), &v);
    if (v.verdict != FC_RL_OK) {
        reply_429(fc, h, &v);
        if (v.has_bucket)
            ratelimit_headers(h, &v);
        goto out;
    }
    api = strdup(api); /* routes see the path after /api/v10 */
    free(h->path);
    h->path = (char *)api;
    if (!h->path) {
        fc_http_error(h, 500, 0, "500: Internal Server Error");
        goto out;
    }
    if (h->body_len && rec && !*rec->content_type) {
        fc_violation(fc, "rest: body without Content-Type (%s %s)", h->method,
                     h->path);
        fc_http_error(h, 400, 50035, "Invalid Form Body");
    } else {
        fc_routes_handle(fc, h);
    }
    if (v.has_bucket)
        ratelimit_headers(h, &v);
    if (h->lost && rule->drop) {
        h->drop = 1;
    } else if (h->lost) {
        char dflt[160];

        snprintf(dflt, sizeof dflt, "{\"code\":0,\"message\":\"%d: %s\"}",
                 rule->status, status_text(rule->status));
        fc_http_reply(h, rule->status, rule->body ? rule->body : dflt);
    }

out:
    rec = fc_http_record(fc, h);
    if (rec)
        rec->status = h->status;
    if (delay > 0) {
        h->delayed = 1;
        lws_sul_schedule(fc->ctx, 0, &h->sul, sul_ready,
                         (lws_usec_t)delay * 1000);
    } else {
        h->ready = 1;
        lws_callback_on_writable(h->wsi);
    }
}

static int
write_answer(struct fakecord *fc, struct lws *wsi, struct fc_pss *pss)
{
    struct fc_http *h = pss->http;
    size_t hl = h->resp_headers ? strlen(h->resp_headers) : 0;
    size_t cap = LWS_PRE + 2048 + hl * 2;
    unsigned char *buf = malloc(cap), *start, *p, *end;
    size_t body_len = h->resp_len;
    int rc = 0;

    (void)fc;
    if (h->drop) {
        free(buf);
        return -1; /* close: not a byte of an answer */
    }
    if (!buf)
        return -1;
    start = p = buf + LWS_PRE;
    end = buf + cap - 1;
    if (lws_add_http_common_headers(wsi, (unsigned)h->status,
                                    body_len ? h->ctype : NULL,
                                    (lws_filepos_t)body_len, &p, end))
        goto fail;
    for (const char *l = h->resp_headers; l && *l;) {
        const char *e = strstr(l, "\r\n"), *colon = strchr(l, ':');
        char name[128];

        if (!e)
            break;
        if (colon && colon < e && (size_t)(colon - l) < sizeof name - 2) {
            const char *val = colon + 1;

            while (*val == ' ')
                val++;
            snprintf(name, sizeof name, "%.*s:", (int)(colon - l), l);
            if (lws_add_http_header_by_name(wsi, (unsigned char *)name,
                                            (const unsigned char *)val,
                                            (int)(e - val), &p, end))
                goto fail;
        }
        l = e + 2;
    }
    if (lws_finalize_write_http_header(wsi, start, &p, end))
        goto fail;
    free(buf);
    if (h->truncate) {
        size_t half = body_len / 2;

        if (half)
            lws_write(wsi, (unsigned char *)h->resp + LWS_PRE, half,
                      LWS_WRITE_HTTP);
        return -1; /* Content-Length promised more: the client sees it cut */
    }
    if (body_len && lws_write(wsi, (unsigned char *)h->resp + LWS_PRE, body_len,
                              LWS_WRITE_HTTP_FINAL) < (int)body_len)
        rc = -1;
    pss->http = NULL;
    http_free(h);
    if (rc == 0 && lws_http_transaction_completed(wsi))
        rc = -1;
    return rc;
fail:
    free(buf);
    return -1;
}

int
fc_rest_callback(struct fakecord *fc, struct lws *wsi,
                 enum lws_callback_reasons reason, struct fc_pss *pss, void *in,
                 size_t len)
{
    struct fc_http *h = pss ? pss->http : NULL;

    switch (reason) {
    case LWS_CALLBACK_HTTP:
        if (!pss || on_http(fc, wsi, pss, in) < 0)
            return -1;
        h = pss->http;
        if (h->expect_len == 0)
            answer(fc, h);
        return 0;
    case LWS_CALLBACK_HTTP_BODY:
        if (h && body_append(h, in, len) < 0)
            return -1;
        return 0;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        if (h && !h->ready && !h->delayed)
            answer(fc, h);
        return 0;
    case LWS_CALLBACK_HTTP_WRITEABLE:
        if (!h || !h->ready)
            return 0;
        return write_answer(fc, wsi, pss);
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
        if (pss && pss->http) {
            http_free(pss->http);
            pss->http = NULL;
        }
        return 0;
    default:
        return 0;
    }
}

/* ---- setup and public REST scripting ------------------------------------- */

int
fc_rest_init(struct fakecord *fc)
{
    fc->commands = cJSON_CreateObject();
    fc->messages = cJSON_CreateArray();
    fc->reactions = cJSON_CreateArray();
    if (!fc->commands || !fc->messages || !fc->reactions)
        return -1;
    /* Discord's real hash for message creation, 5 per 5 s per channel. */
    return fc_rl_set_route(&fc->rl, "POST", "/channels/{channel_id}/messages",
                           "80c17d2f203122d936070c88c8d10f33", 5, 5000);
}

void
fc_rest_cleanup(struct fakecord *fc)
{
    while (fc->rules) {
        struct fc_rule *r = fc->rules;
        fc->rules = r->next;
        free(r->method);
        free(r->prefix);
        free(r->body);
        free(r->headers);
        free(r);
    }
    fc_rl_free(&fc->rl);
    fc_nonces_free_all(fc);
    fc_ix_free_all(fc);
    fc_requests_free_all(fc);
    cJSON_Delete(fc->commands);
    cJSON_Delete(fc->messages);
    cJSON_Delete(fc->reactions);
    cJSON_Delete(fc->world);
    fc->commands = fc->messages = fc->reactions = fc->world = NULL;
}

int
fakecord_rest_script(fakecord *fc, const struct fakecord_rest_rule *r)
{
    struct fc_rule *n, **pp;

    if (!fc || !r)
        return -1;
    n = calloc(1, sizeof *n);
    if (!n)
        return -1;
    n->method = fc_strdup(r->method);
    n->prefix = fc_strdup(r->path_prefix);
    n->body = fc_strdup(r->body);
    n->headers = fc_strdup(r->headers);
    n->count = r->count;
    n->status = r->status;
    n->delay_ms = r->delay_ms;
    n->truncate = r->truncate;
    n->after_effect = r->after_effect;
    n->drop = r->drop;
    pthread_mutex_lock(&fc->mu);
    for (pp = &fc->rules; *pp; pp = &(*pp)->next)
        ;
    *pp = n;
    pthread_mutex_unlock(&fc->mu);
    return 0;
}

int
fakecord_rest_fail(fakecord *fc, const char *method, const char *path_prefix,
                   int status, int count, const char *body_json,
                   const char *extra_headers)
{
    struct fakecord_rest_rule r = { 0 };

    r.method = method;
    r.path_prefix = path_prefix;
    r.count = count;
    r.status = status;
    r.body = body_json;
    r.headers = extra_headers;

    return fakecord_rest_script(fc, &r);
}

int
fakecord_rest_limit(fakecord *fc, const char *method, const char *route,
                    const char *bucket_hash, int limit, int window_ms)
{
    int rc;

    if (!fc || !method || !route)
        return -1;
    pthread_mutex_lock(&fc->mu);
    rc = fc_rl_set_route(&fc->rl, method, route, bucket_hash, limit, window_ms);
    pthread_mutex_unlock(&fc->mu);
    return rc;
}

int
fakecord_rest_global_limit(fakecord *fc, int per_second)
{
    if (!fc)
        return -1;
    pthread_mutex_lock(&fc->mu);
    fc->rl.global_per_s = per_second > 0 ? per_second : 0;
    pthread_mutex_unlock(&fc->mu);
    return 0;
}

int
fakecord_requests(fakecord *fc, struct fakecord_request **out)
{
    struct fakecord_request *c;
    int n;

    pthread_mutex_lock(&fc->mu);
    n = fc->nreqs;
    c = calloc((size_t)n + 1, sizeof *c);
    if (!c) {
        pthread_mutex_unlock(&fc->mu);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        const struct fakecord_request *s = &fc->reqs[i];

        c[i] = *s;
        c[i].path = fc_strdup(s->path ? s->path : "");
        c[i].authorization =
            fc_strdup(s->authorization ? s->authorization : "");
        c[i].user_agent = fc_strdup(s->user_agent ? s->user_agent : "");
        c[i].content_type = fc_strdup(s->content_type ? s->content_type : "");
        c[i].audit_reason = fc_strdup(s->audit_reason ? s->audit_reason : "");
        c[i].headers = fc_strdup(s->headers ? s->headers : "");
        c[i].body = (unsigned char *)fc_memdup(s->body ? (char *)s->body : "",
                                               s->body ? s->body_len : 0);
    }
    pthread_mutex_unlock(&fc->mu);
    *out = c;
    return n;
}
