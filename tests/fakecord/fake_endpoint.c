/*
 * fake_endpoint.c: Discord's side of an Interactions Endpoint URL (§3.5).
 *
 * DESIGN. The fake application gets an Ed25519 key pair on first use; its
 * public half is what a bot configures as public_key. Once an endpoint is
 * set, each pushed interaction is POSTed there the way Discord does it:
 * X-Signature-Timestamp (Unix seconds) and X-Signature-Ed25519 over the
 * timestamp followed by the exact body bytes. The POST is a plain blocking
 * socket on a thread of its own (the fake's loop must not wait on the
 * bot), bounded by a receive timeout; the answer is then recorded under
 * the fake's mutex as the interaction's callback, with the rules the REST
 * callback route enforces. fakecord_stop() joins the posting threads.
 */
#include "fake_state.h"

#include <openssl/evp.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define ANSWER_MAX   (1 << 20) /* bytes of an answer kept */
#define DELIVER_WAIT 10000     /* ms a delivery waits for its answer */
#define CALLBACK_MS  3000      /* Discord's window for the answer */

struct fc_poster {
    struct fc_poster *next;
    pthread_t th;
    struct fakecord *fc;
    uint64_t id;
    char *url, *body;
};

struct fc_endpoint {
    EVP_PKEY *key;
    char pub_hex[65];
    char *url; /* NULL: interactions go over the gateway */
    struct fc_poster *posters;
};

static int64_t
mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
hex(const unsigned char *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static EVP_PKEY *
new_key(void)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    EVP_PKEY *k = NULL;

    if (c && EVP_PKEY_keygen_init(c) > 0)
        EVP_PKEY_keygen(c, &k);
    EVP_PKEY_CTX_free(c);
    return k;
}

/* The endpoint state, made on first use (mu held). */
static struct fc_endpoint *
ep_get(struct fakecord *fc)
{
    struct fc_endpoint *ep = fc->ep;
    unsigned char pub[32];
    size_t pl = sizeof pub;

    if (ep)
        return ep;
    ep = calloc(1, sizeof *ep);
    if (!ep)
        return NULL;
    ep->key = new_key();
    if (!ep->key || EVP_PKEY_get_raw_public_key(ep->key, pub, &pl) <= 0) {
        EVP_PKEY_free(ep->key);
        free(ep);
        return NULL;
    }
    hex(pub, sizeof pub, ep->pub_hex);
    fc->ep = ep;
    return ep;
}

/* ---- the signed POST ------------------------------------------------------
 */

/* "http://127.0.0.1:PORT/path" or "http://[::1]:PORT/path". */
static int
parse_url(const char *url, struct sockaddr_storage *ss, socklen_t *sl,
          char *path, size_t pcap)
{
    char host[64];
    const char *h, *e, *p;
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    int port;

    if (strncmp(url, "http://", 7) != 0)
        return -1;
    h = url + 7;
    if (*h == '[') {
        e = strchr(h, ']');
        if (!e || e[1] != ':')
            return -1;
        h++;
    } else {
        e = strchr(h, ':');
        if (!e)
            return -1;
    }
    if ((size_t)(e - h) >= sizeof host)
        return -1;
    memcpy(host, h, (size_t)(e - h));
    host[e - h] = '\0';
    port = atoi(e + (*e == ']' ? 2 : 1));
    p = strchr(e, '/');
    snprintf(path, pcap, "%s", p ? p : "/");
    memset(ss, 0, sizeof *ss);
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        *sl = sizeof *a4;
    } else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *sl = sizeof *a6;
    } else {
        return -1;
    }
    return 0;
}

/* Ed25519 over ts || body, as hex (129 bytes). */
static int
sign(EVP_PKEY *key, const char *ts, const char *body, size_t len, char *out)
{
    size_t tl = strlen(ts), sl = 64;
    unsigned char *msg = malloc(tl + len + 1), sig[64];
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok;

    if (msg) {
        memcpy(msg, ts, tl);
        memcpy(msg + tl, body, len);
    }
    ok = msg && ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) > 0 &&
         EVP_DigestSign(ctx, sig, &sl, msg, tl + len) > 0;
    EVP_MD_CTX_free(ctx);
    free(msg);
    if (ok)
        hex(sig, sizeof sig, out);
    return ok ? 0 : -1;
}

static int
send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Read one HTTP answer (status, body by Content-Length or to EOF). */
static int
read_answer(int fd, struct fakecord_answer *out)
{
    char *buf = malloc(ANSWER_MAX + 1), *hend, *cl;
    size_t len = 0, want = (size_t)-1;

    if (!buf)
        return -1;
    for (;;) {
        ssize_t r = recv(fd, buf + len, ANSWER_MAX - len, 0);

        if (r <= 0)
            break;
        len += (size_t)r;
        buf[len] = '\0';
        hend = strstr(buf, "\r\n\r\n");
        if (hend && want == (size_t)-1) {
            cl = strcasestr(buf, "\r\ncontent-length:");
            if (cl && cl < hend)
                want = (size_t)(hend + 4 - buf) + strtoull(cl + 17, NULL, 10);
        }
        if (len >= want || len == ANSWER_MAX)
            break;
    }
    buf[len] = '\0';
    hend = strstr(buf, "\r\n\r\n");
    if (!hend || sscanf(buf, "HTTP/1.%*d %d", &out->status) != 1) {
        out->status = 0;
        free(buf);
        return -1;
    }
    out->body = fc_strdup(hend + 4);
    free(buf);
    return 0;
}

static int
post(EVP_PKEY *key, const struct fakecord_post *p, struct fakecord_answer *out)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    char path[512], ts[32], sig[129] = "", *req;
    size_t blen = p->body_len ? p->body_len : strlen(p->body);
    long long t = p->timestamp ? p->timestamp : (long long)time(NULL);
    int ms = p->timeout_ms > 0 ? p->timeout_ms : 5000, fd, n, rc = -1;
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    EVP_PKEY *other = p->wrong_key ? new_key() : NULL;
    int64_t t0;

    memset(out, 0, sizeof *out);
    if (parse_url(p->url, &ss, &sl, path, sizeof path) < 0)
        return -1;
    snprintf(ts, sizeof ts, "%lld", t);
    if (sign(other ? other : key, ts, p->body, blen, sig) < 0) {
        EVP_PKEY_free(other);
        return -1;
    }
    EVP_PKEY_free(other);
    if (p->tamper_ts)
        snprintf(ts, sizeof ts, "%lld", t + 1);
    req = malloc(1024 + blen);
    if (!req)
        return -1;
    n = snprintf(req, 1024,
                 "%s %s HTTP/1.1\r\nHost: discord.test\r\n"
                 "User-Agent: Discord-Interactions/1.0 "
                 "(+https://discord.com)\r\n"
                 "Content-Type: application/json\r\n"
                 "Content-Length: %lld\r\n%s%s%s%s%s%s\r\n",
                 p->method ? p->method : "POST", p->path ? p->path : path,
                 p->announce > 0 ? p->announce : (long long)blen,
                 p->no_signature ? "" : "X-Signature-Ed25519: ",
                 p->no_signature ? "" : sig, p->no_signature ? "" : "\r\n",
                 p->no_timestamp ? "" : "X-Signature-Timestamp: ",
                 p->no_timestamp ? "" : ts, p->no_timestamp ? "" : "\r\n");
    memcpy(req + n, p->body, blen);
    if (p->tamper_body && blen)
        req[n + blen - 1] ^= 1;
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (connect(fd, (struct sockaddr *)&ss, sl) == 0 &&
            send_all(fd, req, (size_t)n + blen) == 0) {
            t0 = mono_us();
            rc = read_answer(fd, out);
            out->ms = (double)(mono_us() - t0) / 1000.0;
        }
        close(fd);
    }
    free(req);
    return rc;
}

int
fakecord_post_signed(fakecord *fc, const struct fakecord_post *p,
                     struct fakecord_answer *out)
{
    struct fc_endpoint *ep;
    EVP_PKEY *key = NULL;
    int rc;

    pthread_mutex_lock(&fc->mu);
    ep = ep_get(fc);
    if (ep && EVP_PKEY_up_ref(ep->key))
        key = ep->key;
    pthread_mutex_unlock(&fc->mu);
    if (!key) {
        memset(out, 0, sizeof *out);
        return -1;
    }
    rc = post(key, p, out);
    EVP_PKEY_free(key);
    return rc;
}

/* ---- deliveries -----------------------------------------------------------
 */

/* The endpoint's answer as the interaction's callback (mu held). */
static void
record(struct fakecord *fc, uint64_t id, const struct fakecord_answer *a)
{
    struct fc_ix *x = fc_ix_find(fc, id);
    cJSON *b, *type;
    double ms;

    if (!x || a->status == 202) /* 202: answered through .../callback */
        return;
    ms = (double)(mono_us() - x->created_us) / 1000.0;
    b = a->body ? cJSON_Parse(a->body) : NULL;
    type = cJSON_GetObjectItemCaseSensitive(b, "type");
    x->callbacks++;
    if (x->callbacks == 1) {
        x->callback_ms = ms;
        x->callback_type = cJSON_IsNumber(type) ? type->valueint : -1;
        x->callback_body = b ? cJSON_Duplicate(b, 1) : NULL;
        x->callback_status = a->status;
    }
    if (a->status != 200)
        fc_violation(fc, "endpoint answered %d to interaction %llu", a->status,
                     (unsigned long long)id);
    else if (ms > CALLBACK_MS)
        fc_violation(fc, "interaction callback after 3 s (%.0f ms)", ms);
    else if (!cJSON_IsNumber(type) ||
             !fc_ix_callback_type_ok(x->type, type->valueint))
        fc_violation(fc,
                     "interaction callback type %d invalid for interaction "
                     "type %d",
                     cJSON_IsNumber(type) ? type->valueint : -1, x->type);
    else if (x->original_id)
        fc_violation(fc, "interaction acknowledged twice");
    else
        x->original_id = (int64_t)fc_snowflake(fc);
    cJSON_Delete(b);
}

static void *
poster_thread(void *arg)
{
    struct fc_poster *p = arg;
    struct fakecord_post rq = { .url = p->url,
                                .body = p->body,
                                .timeout_ms = DELIVER_WAIT };
    struct fakecord_answer a;

    fakecord_post_signed(p->fc, &rq, &a);
    pthread_mutex_lock(&p->fc->mu);
    record(p->fc, p->id, &a);
    pthread_mutex_unlock(&p->fc->mu);
    free(a.body);
    return NULL;
}

int
fc_endpoint_active(struct fakecord *fc)
{
    return fc->ep && fc->ep->url;
}

int
fc_endpoint_post(struct fakecord *fc, uint64_t id, const char *json)
{
    struct fc_poster *p = calloc(1, sizeof *p);

    if (!p)
        return -1;
    p->fc = fc;
    p->id = id;
    p->url = fc_strdup(fc->ep->url);
    p->body = fc_strdup(json);
    if (!p->url || !p->body ||
        pthread_create(&p->th, NULL, poster_thread, p) != 0) {
        free(p->url);
        free(p->body);
        free(p);
        return -1;
    }
    p->next = fc->ep->posters;
    fc->ep->posters = p;
    return 0;
}

const char *
fakecord_public_key(fakecord *fc)
{
    struct fc_endpoint *ep;

    pthread_mutex_lock(&fc->mu);
    ep = ep_get(fc);
    pthread_mutex_unlock(&fc->mu);
    return ep ? ep->pub_hex : NULL;
}

int
fakecord_set_interactions_endpoint(fakecord *fc, const char *url)
{
    struct fc_endpoint *ep;
    char *copy = url ? fc_strdup(url) : NULL;
    int rc = -1;

    if (url && !copy)
        return -1;
    pthread_mutex_lock(&fc->mu);
    ep = ep_get(fc);
    if (ep) {
        free(ep->url);
        ep->url = copy;
        rc = 0;
    }
    pthread_mutex_unlock(&fc->mu);
    if (rc < 0)
        free(copy);
    return rc;
}

void
fc_endpoint_cleanup(struct fakecord *fc)
{
    struct fc_endpoint *ep;
    struct fc_poster *p, *next;

    pthread_mutex_lock(&fc->mu);
    ep = fc->ep;
    pthread_mutex_unlock(&fc->mu);
    if (!ep)
        return;
    /* The loop has stopped: no new posters. Each ends within its
     * timeout; they take mu to record, so it is not held here. */
    for (p = ep->posters; p; p = next) {
        next = p->next;
        pthread_join(p->th, NULL);
        free(p->url);
        free(p->body);
        free(p);
    }
    fc->ep = NULL;
    EVP_PKEY_free(ep->key);
    free(ep->url);
    free(ep);
}
