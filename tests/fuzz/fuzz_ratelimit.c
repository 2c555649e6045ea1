/*
 * fuzz_ratelimit.c: drive the rate limiter with a byte-coded program of
 * submits (half with deadlines), takes, responses (any header values,
 * 429s of every scope), retries, clock jumps, sweeps, expiries and
 * drains, and check its bookkeeping: a request is handed out only while
 * queued, never twice, never at or past its deadline, and the queued and
 * in-flight counts always match what the program did. Route parsing gets
 * raw bytes too. Waits come small (the common case) or wide: extremes
 * (1e300, inf, NaN, negative), any 64-bit pattern, header text through
 * the header parser, or mantissa * 10^exp. Whatever they are, no delay or
 * wake time may leave [now, now + DBOT__RL_MAX_WAIT_MS + slack], and no
 * conversion may overflow (sanitizer builds add float-cast-overflow).
 * Built for libFuzzer, or with replay_main.c for tests.
 */
#include "ratelimit.h"

#include <dbot/dbot.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    NREQ = 48
};
enum {
    FREE,
    QUEUED,
    INFLIGHT,
    LIMITED
};

struct freq {
    struct dbot__rl_req rl; /* first */
    int state;
};

struct prog {
    const uint8_t *p;
    size_t n, i;
};

static unsigned
next(struct prog *g)
{
    return g->i < g->n ? g->p[g->i++] : 0;
}

#define CHECK(c)                                                          \
    do {                                                                  \
        if (!(c)) {                                                       \
            fprintf(stderr, "fuzz_ratelimit: %s failed at line %d\n", #c, \
                    __LINE__);                                            \
            abort();                                                      \
        }                                                                 \
    } while (0)

static void
make_path(struct prog *g, char *buf, size_t cap)
{
    /* '#' stands for a small number drawn from the program. */
    static const char *const tmpls[] = {
        "/channels/#/messages",
        "/channels/#/messages/#",
        "/channels/#/messages/#/reactions/%F0%9F%91%8D/@me",
        "/guilds/#/members/#",
        "/interactions/#/tok#/callback",
        "/webhooks/#/tok#/messages/@original",
        "/webhooks/#/tok#",
        "/users/@me",
        "/applications/#/guilds/#/commands",
    };
    unsigned k = next(g);
    const char *t;
    size_t o = 0;

    if (k >= 0xf0) { /* raw bytes */
        size_t len = next(g) % (cap - 1), j;

        for (j = 0; j < len; j++)
            buf[j] = (char)next(g);
        buf[j] = '\0';
        return;
    }
    for (t = tmpls[k % (sizeof tmpls / sizeof tmpls[0])]; *t && o + 2 < cap;
         t++)
        buf[o++] = *t == '#' ? (char)('1' + next(g) % 4) : *t;
    buf[o] = '\0';
}

/* Jitter, the global window and a program's own retry times may add this
 * much to the longest rate-limit wait. */
#define SLACK_MS 2000

/* A wait in seconds from anywhere in double's range. */
static double
wide_seconds(struct prog *g)
{
    static const double extremes[] = {
        1e300,    -1e300,   DBL_MAX, -DBL_MAX,   INFINITY, -INFINITY,
        NAN,      -0.0,     9.3e15,  3e9,        1e-300,   4e-324,
        3599.999, 3600.001, 86400,   2147483.648
    };
    unsigned k = next(g) % 4, e;
    char text[24];
    size_t len;
    double v;
    uint64_t bits = 0;

    switch (k) {
    case 0:
        return extremes[next(g) % (sizeof extremes / sizeof extremes[0])];
    case 1: /* any bit pattern: NaNs, infinities, denormals, negatives */
        for (int i = 0; i < 8; i++)
            bits = bits << 8 | next(g);
        memcpy(&v, &bits, sizeof v);
        return v;
    case 2: /* header text, as Retry-After or X-RateLimit-Reset-After */
        len = next(g) % sizeof text;
        for (size_t i = 0; i < len; i++)
            text[i] = (char)next(g);
        return dbot__rl_parse_seconds(text, len);
    default: /* mantissa * 10^exp, exp in [-32, 31] */
        v = next(g) + next(g) / 256.0;
        e = next(g) % 64;
        for (unsigned i = 0; i < e; i++)
            v *= 10;
        for (unsigned i = 0; i < 32; i++)
            v /= 10;
        return next(g) & 1 ? -v : v;
    }
}

static void
response(struct prog *g, struct dbot__rl_resp *r)
{
    static const int statuses[] = { 200, 204, 400, 401, 403, 404,
                                    429, 429, 500, 502, 0 };
    static const char *const buckets[] = { NULL, "a", "b", "c" };
    static const char *const scopes[] = { NULL, "user", "shared", "global" };
    unsigned f = next(g);

    r->status = statuses[next(g) % (sizeof statuses / sizeof statuses[0])];
    r->bucket = buckets[f & 3];
    r->scope = scopes[(f >> 2) & 3];
    r->global = (f >> 4) & 1;
    r->limit = (int)(next(g) % 8) - 1;
    r->remaining = (int)(next(g) % 8) - 1;
    if (f & 0x80) {
        r->reset_after = (f >> 5) & 1 ? -1 : wide_seconds(g);
        r->retry_after = (f >> 6) & 1 ? -1 : wide_seconds(g);
    } else {
        r->reset_after = (f >> 5) & 1 ? -1 : next(g) / 16.0;
        r->retry_after = (f >> 6) & 1 ? -1 : next(g) / 32.0;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = { "GET",    "POST", "PATCH",
                                           "DELETE", "PUT",  "BREW" };
    struct prog g = { data, size, 0 };
    struct freq reqs[NREQ];
    struct dbot__rl *rl;
    struct dbot__rl_stats st;
    struct dbot__rl_req *d;
    int64_t now = 1000;
    size_t queued = 0, inflight = 0;

    dbot_log_set_level(DBOT_LOG_ERROR); /* 429 warnings are expected */
    memset(reqs, 0, sizeof reqs);
    rl = dbot__rl_new((int)(next(&g) % 6), next(&g));
    if (!rl)
        return 0;
    while (g.i < g.n) {
        unsigned op = next(&g) % 8, k;
        struct dbot__rl_req *out[8];
        struct dbot__rl_resp r;
        char path[96], key[DBOT__RL_KEY_MAX], top[DBOT__RL_TOP_MAX];
        int64_t wake, delay;
        size_t n;

        switch (op) {
        case 0: /* submit */
            k = next(&g) % NREQ;
            make_path(&g, path, sizeof path);
            if (reqs[k].state != FREE)
                break;
            memset(&reqs[k].rl, 0, sizeof reqs[k].rl);
            /* Half the requests carry a deadline, near or far. */
            if (k & 1)
                reqs[k].rl.deadline = now + (int64_t)k * k * 64;
            if (dbot__rl_submit(rl, &reqs[k].rl, methods[next(&g) % 6], path,
                                now) == 0) {
                reqs[k].state = QUEUED;
                queued++;
            }
            break;
        case 1: /* take */
            n = dbot__rl_take_capped(rl, now, out, next(&g) % 8 + 1,
                                     next(&g) % 4, next(&g) % 8, &wake);
            for (size_t j = 0; j < n; j++) {
                struct freq *f = (struct freq *)out[j];

                CHECK(f->state == QUEUED);
                CHECK(f->rl.not_before <= now);
                CHECK(f->rl.deadline == 0 || f->rl.deadline > now);
                f->state = INFLIGHT;
                queued--;
                inflight++;
            }
            CHECK(wake >= now);
            CHECK(wake == INT64_MAX ||
                  wake <= now + DBOT__RL_MAX_WAIT_MS + SLACK_MS);
            break;
        case 2: /* a response */
        case 3: /* a response, then a retry */
            k = next(&g) % NREQ;
            response(&g, &r);
            if (reqs[k].state == LIMITED) {
                if (op == 2) {
                    dbot__rl_finish(rl, &reqs[k].rl, now);
                    reqs[k].state = FREE;
                } else {
                    dbot__rl_requeue(rl, &reqs[k].rl, now + next(&g));
                    reqs[k].state = QUEUED;
                    queued++;
                }
                inflight--;
                break;
            }
            if (reqs[k].state != INFLIGHT)
                break;
            delay = dbot__rl_complete(rl, &reqs[k].rl, &r, now);
            CHECK((r.status == 429) == (delay >= 0));
            CHECK(delay <= DBOT__RL_MAX_WAIT_MS + SLACK_MS);
            if (delay >= 0) {
                reqs[k].state = LIMITED; /* decided by a later op 2/3 */
            } else if (op == 3) {
                dbot__rl_requeue(rl, &reqs[k].rl, now + next(&g) * 4);
                reqs[k].state = QUEUED;
                inflight--;
                queued++;
            } else {
                reqs[k].state = FREE;
                inflight--;
            }
            break;
        case 4: /* time passes */
            now += (int64_t)next(&g) * (next(&g) + 1) * 8;
            break;
        case 5: /* sweep, then fail what cannot be sent in time */
            dbot__rl_sweep(rl, now);
            n = dbot__rl_expire(rl, now, out, next(&g) % 8 + 1);
            for (size_t j = 0; j < n; j++) {
                struct freq *f = (struct freq *)out[j];

                CHECK(f->state == QUEUED);
                CHECK(f->rl.deadline != 0);
                f->state = FREE;
                queued--;
            }
            break;
        case 6: /* drain one */
            d = dbot__rl_drain(rl);
            if (d) {
                CHECK(((struct freq *)d)->state == QUEUED);
                ((struct freq *)d)->state = FREE;
                queued--;
            }
            break;
        case 7: /* parse raw bytes */
            make_path(&g, path, sizeof path);
            (void)dbot__rl_route_key(methods[next(&g) % 6], path, key,
                                     sizeof key, top, sizeof top);
            (void)dbot__rl_classify(path);
            break;
        }
        dbot__rl_stats(rl, &st);
        CHECK(st.queued == queued);
        CHECK(st.inflight == inflight);
        (void)dbot__rl_invalid_count(rl, now);
    }
    /* Everything queued comes back out, exactly once. */
    while ((d = dbot__rl_drain(rl)) != NULL) {
        CHECK(((struct freq *)d)->state == QUEUED);
        ((struct freq *)d)->state = FREE;
        queued--;
    }
    CHECK(queued == 0);
    dbot__rl_free(rl);
    return 0;
}
