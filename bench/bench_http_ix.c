/*
 * bench_http_ix.c: interactions over HTTP (interactions_listen), against
 * the floor every request must pay: one Ed25519 signature verification.
 *
 * One JSON line with, measured in the same run on the same machine:
 *   verify_floor_per_s  OpenSSL Ed25519 verifications per second on one
 *                       thread (key parsed once, message joined once):
 *                       what verification alone would allow;
 *   ix_per_s            signed interactions per second through the bot
 *                       (HTTP parse, verify, JSON parse, replay guard,
 *                       routing, a handler replying "pong", the answer
 *                       written), from `conns` keep-alive connections
 *                       each waiting for its answer before the next;
 *   ack_ms              at `rate` requests/s (paced, open loop: latency
 *                       counted from each request's planned send time, so
 *                       a stall is not hidden), from the planned time to
 *                       the whole answer read (p50, p99, max).
 * Requests are signed before the clock starts (each with its own id: the
 * replay guard would refuse a repeat), so the bot's freshness window is
 * widened to 900 s for the time signing and the runs take. An HTTP-only bot
 * (gateway false) runs in this process; the fake Discord only serves its REST
 * calls.
 *
 * Usage: bench_http_ix (env BENCH_SECONDS (3), BENCH_RATE (1000),
 * BENCH_CONNS (2)).
 */
#include "fakecord.h"

#include <dbot/dbot.h>
#include <dbot/interaction.h>

#include <openssl/evp.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_clock.h"

#define TOKEN "bench-token-not-a-secret-0123456789"

static EVP_PKEY *key;
static int port;

static int
env_int(const char *name, int def)
{
    const char *v = getenv(name);

    return v && *v ? atoi(v) : def;
}

/* bench_clock.h's clock in ns (a double holds them exactly for months). */
static int64_t
now_ns(void)
{
    return (int64_t)(now_s() * 1e9);
}

static void
hex(const unsigned char *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* A command interaction as Discord sends one (about 700 bytes). */
static int
body_of(char *out, size_t cap, unsigned long long id)
{
    return snprintf(
        out, cap,
        "{\"app_permissions\":\"2248473465835073\",\"application_id\":\"%s\","
        "\"authorizing_integration_owners\":{\"0\":\"1200000000000000001\"},"
        "\"channel\":{\"id\":\"1200000000000000002\",\"name\":\"general\","
        "\"type\":0},\"channel_id\":\"1200000000000000002\",\"context\":0,"
        "\"data\":{\"id\":\"1300000000000000001\",\"name\":\"ping\","
        "\"type\":1},\"entitlements\":[],\"guild_id\":\"1200000000000000001\","
        "\"guild_locale\":\"en-US\",\"id\":\"%llu\",\"locale\":\"en-GB\","
        "\"member\":{\"avatar\":null,\"flags\":0,\"joined_at\":"
        "\"2024-01-01T00:00:00.000000+00:00\",\"nick\":null,\"pending\":"
        "false,\"permissions\":\"2248473465835073\",\"roles\":[],\"user\":{"
        "\"avatar\":null,\"discriminator\":\"0\",\"global_name\":\"You\","
        "\"id\":\"1200000000000000003\",\"public_flags\":0,\"username\":"
        "\"you\"}},\"token\":\"aW50ZXJhY3Rpb246%llu-bench-token-padding-to-"
        "look-real\",\"type\":2,\"version\":1}",
        FAKECORD_APP_ID, id, id);
}

/* A whole signed request, ready to write. */
static char *
signed_request(unsigned long long id, size_t *len)
{
    char body[2048], ts[24], sighex[129];
    unsigned char msg[2100], sig[64];
    size_t bl = (size_t)body_of(body, sizeof body, id), tl, sl = sizeof sig;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    char *req = malloc(4096);

    tl = (size_t)snprintf(ts, sizeof ts, "%lld", (long long)time(NULL));
    memcpy(msg, ts, tl);
    memcpy(msg + tl, body, bl);
    EVP_DigestSignInit(ctx, NULL, NULL, NULL, key);
    EVP_DigestSign(ctx, sig, &sl, msg, tl + bl);
    EVP_MD_CTX_free(ctx);
    hex(sig, sizeof sig, sighex);
    *len = (size_t)snprintf(req, 4096,
                            "POST /interactions HTTP/1.1\r\nHost: b\r\n"
                            "Content-Type: application/json\r\n"
                            "Content-Length: %zu\r\n"
                            "X-Signature-Ed25519: %s\r\n"
                            "X-Signature-Timestamp: %s\r\n\r\n%s",
                            bl, sighex, ts, body);
    return req;
}

static int
connect_bot(void)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return -1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* Send one request and read its whole answer; its status, or -1. */
static int
exchange(int fd, const char *req, size_t len)
{
    char buf[4096];
    size_t have = 0, want = (size_t)-1;
    int status = -1;

    if (send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len)
        return -1;
    while (have < want) {
        ssize_t r = recv(fd, buf + have, sizeof buf - 1 - have, 0);
        char *end, *cl;

        if (r <= 0)
            return -1;
        have += (size_t)r;
        buf[have] = '\0';
        end = strstr(buf, "\r\n\r\n");
        if (end && want == (size_t)-1) {
            cl = strcasestr(buf, "content-length:");
            sscanf(buf, "HTTP/1.1 %d", &status);
            want =
                (size_t)(end + 4 - buf) + (cl ? strtoul(cl + 15, NULL, 10) : 0);
        }
    }
    return status;
}

/* ---- throughput ---------------------------------------------------------- */

struct worker {
    pthread_t th;
    char **reqs;
    size_t *lens;
    int n, done, failed;
};

static void *
closed_loop(void *arg)
{
    struct worker *w = arg;
    int fd = connect_bot();

    for (int i = 0; i < w->n && fd >= 0; i++) {
        if (exchange(fd, w->reqs[i], w->lens[i]) != 200)
            w->failed++;
        w->done++;
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

/* ---- paced latency ------------------------------------------------------- */

struct paced {
    pthread_t th;
    char **reqs;
    size_t *lens;
    int n, failed;
    int64_t interval_ns, start_ns;
    double *ms;
};

static void *
open_loop(void *arg)
{
    struct paced *p = arg;
    int fd = connect_bot();

    for (int i = 0; i < p->n && fd >= 0; i++) {
        int64_t plan = p->start_ns + (int64_t)i * p->interval_ns, now;

        while ((now = now_ns()) < plan) {
            struct timespec ts = { 0, (long)(plan - now) };
            nanosleep(&ts, NULL);
        }
        if (exchange(fd, p->reqs[i], p->lens[i]) != 200)
            p->failed++;
        p->ms[i] = (double)(now_ns() - plan) / 1e6;
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* ---- the bot ------------------------------------------------------------- */

static int
on_ping(dbot_interaction *ix, void *data)
{
    (void)data;
    return dbot_interaction_reply(ix, "pong");
}

static void *
bot_thread(void *arg)
{
    dbot_run(arg);
    return NULL;
}

static int
free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), p;

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, (struct sockaddr *)&a, sizeof a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    p = ntohs(a.sin_port);
    close(fd);
    return p;
}

static double
verify_floor(void)
{
    char body[2048], ts[] = "1800000000";
    unsigned char msg[2100], sig[64], pub[32];
    size_t bl = (size_t)body_of(body, sizeof body, 1), sl = sizeof sig,
           pl = sizeof pub, ml = strlen(ts) + bl;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY *pk;
    int64_t t0, t1;
    int n = 0, bad = 0;

    memcpy(msg, ts, strlen(ts));
    memcpy(msg + strlen(ts), body, bl);
    EVP_DigestSignInit(ctx, NULL, NULL, NULL, key);
    EVP_DigestSign(ctx, sig, &sl, msg, ml);
    EVP_PKEY_get_raw_public_key(key, pub, &pl);
    pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, pl);
    t0 = now_ns();
    do {
        for (int i = 0; i < 200; i++, n++) {
            EVP_MD_CTX_reset(ctx);
            EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pk);
            bad += EVP_DigestVerify(ctx, sig, sl, msg, ml) != 1;
        }
        t1 = now_ns();
    } while (t1 - t0 < 1000000000);
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pk);
    return bad ? -1 : n / ((double)(t1 - t0) / 1e9);
}

int
main(void)
{
    int seconds = env_int("BENCH_SECONDS", 3),
        rate = env_int("BENCH_RATE", 1000);
    int conns = env_int("BENCH_CONNS", 2), total, per, paced_n, failed = 0;
    EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    unsigned char pub[32];
    size_t pl = sizeof pub;
    char pub_hex[65], cfg[768], **reqs;
    size_t *lens;
    struct fakecord_opts fo = { .token = TOKEN };
    struct worker *w;
    struct paced *pc;
    double floor_ps, ix_ps, *ms;
    unsigned long long next_id = 1400000000000000000ULL;
    fakecord *fc;
    pthread_t bt;
    dbot *bot;
    int64_t t0, t1;

    EVP_PKEY_keygen_init(kc);
    EVP_PKEY_keygen(kc, &key);
    EVP_PKEY_CTX_free(kc);
    EVP_PKEY_get_raw_public_key(key, pub, &pl);
    hex(pub, sizeof pub, pub_hex);
    floor_ps = verify_floor();

    fc = fakecord_start(&fo);
    port = free_port();
    snprintf(cfg, sizeof cfg,
             "{\"token\":\"%s\",\"api_url\":\"%s\",\"gateway\":false,"
             "\"interactions_listen\":\"127.0.0.1:%d\",\"public_key\":\"%s\","
             "\"log_level\":\"warn\",\"application_id\":\"%s\","
             "\"interactions_freshness_s\":900}",
             TOKEN, fakecord_api_url(fc), port, pub_hex, FAKECORD_APP_ID);
    if (!fc || dbot_new_from_json(&bot, cfg) < 0 ||
        dbot_on_command(bot, "ping", on_ping, NULL) < 0) {
        fprintf(stderr, "bench_http_ix: cannot start\n");
        return 1;
    }
    pthread_create(&bt, NULL, bot_thread, bot);
    for (int i = 0; i < 500; i++) { /* until it listens */
        int fd = connect_bot();
        struct timespec ts = { 0, 10000000 };

        if (fd >= 0) {
            close(fd);
            break;
        }
        nanosleep(&ts, NULL);
    }

    /* Throughput: as many as conns closed loops manage in `seconds`,
     * estimated from a short run so that signing stays out of the clock. */
    per = 4000;
    paced_n = rate * seconds;
    total = per * conns + paced_n;
    reqs = calloc((size_t)total, sizeof *reqs);
    lens = calloc((size_t)total, sizeof *lens);
    for (int i = 0; i < total; i++)
        reqs[i] = signed_request(next_id++, &lens[i]);
    w = calloc((size_t)conns, sizeof *w);
    t0 = now_ns();
    for (int c = 0; c < conns; c++) {
        w[c].reqs = reqs + c * per;
        w[c].lens = lens + c * per;
        w[c].n = per;
        pthread_create(&w[c].th, NULL, closed_loop, &w[c]);
    }
    for (int c = 0; c < conns; c++) {
        pthread_join(w[c].th, NULL);
        failed += w[c].failed + (w[c].n - w[c].done);
    }
    t1 = now_ns();
    ix_ps = per * conns / ((double)(t1 - t0) / 1e9);

    /* Latency at `rate`/s over 4 connections, each paced at rate/4. */
    pc = calloc(4, sizeof *pc);
    ms = calloc((size_t)paced_n, sizeof *ms);
    t0 = now_ns() + 50000000;
    for (int c = 0; c < 4; c++) {
        pc[c].n = paced_n / 4;
        pc[c].reqs = reqs + per * conns + c * pc[c].n;
        pc[c].lens = lens + per * conns + c * pc[c].n;
        pc[c].ms = ms + c * pc[c].n;
        pc[c].interval_ns = 4 * 1000000000LL / rate;
        pc[c].start_ns = t0 + (int64_t)c * 1000000000LL / rate;
        pthread_create(&pc[c].th, NULL, open_loop, &pc[c]);
    }
    for (int c = 0; c < 4; c++) {
        pthread_join(pc[c].th, NULL);
        failed += pc[c].failed;
    }
    paced_n = pc[0].n * 4;
    qsort(ms, (size_t)paced_n, sizeof *ms, cmp_double);

    printf("{\"bench\":\"http_interactions\",\"verify_floor_per_s\":%.0f,"
           "\"ix_per_s\":%.0f,\"ix_vs_floor\":%.2f,\"conns\":%d,"
           "\"rate\":%d,\"seconds\":%d,\"ack_ms\":{\"p50\":%.3f,"
           "\"p99\":%.3f,\"max\":%.3f},\"failed\":%d}\n",
           floor_ps, ix_ps, ix_ps / floor_ps, conns, rate, seconds,
           ms[paced_n / 2], ms[paced_n * 99 / 100], ms[paced_n - 1], failed);
    dbot_stop(bot);
    pthread_join(bt, NULL);
    dbot_free(bot);
    fakecord_stop(fc);
    for (int i = 0; i < total; i++)
        free(reqs[i]);
    free(reqs);
    free(lens);
    free(w);
    free(pc);
    free(ms);
    EVP_PKEY_free(key);
    return failed ? 1 : 0;
}
