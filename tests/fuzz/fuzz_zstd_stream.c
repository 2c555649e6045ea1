/*
 * fuzz_zstd_stream.c: the zstd-stream decoder, two ways (first input byte):
 *   even: the input is a compressed stream cut into websocket messages of
 *         fragments (sizes from the second byte; every third fragment ends
 *         a message); it must never crash, over-read or deliver more than
 *         max_out;
 *   odd:  the input (after 3 header bytes) is split at '\n' into messages,
 *         compressed with ZSTD_e_flush after each as Discord does, fed in
 *         fragments, and every non-empty message must come back intact and
 *         in order.
 */
#include "zstd_stream.h"

#include <dbot/dbot.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OUT (1u << 20)

struct expect {
    const uint8_t *msgs[256];
    size_t lens[256];
    int n, next;
};

static void
ignore(const char *out, size_t len, void *arg)
{
    (void)arg;
    if (len == 0 || len > MAX_OUT || out[len] != '\0')
        abort();
}

static void
compare(const char *out, size_t len, void *arg)
{
    struct expect *e = arg;

    if (e->next >= e->n || e->lens[e->next] != len ||
        memcmp(e->msgs[e->next], out, len) != 0 || out[len] != '\0')
        abort();
    e->next++;
}

/* Feed one websocket message in fragments of `step` bytes. */
static int
feed_message(struct dbot__zstd *z, const uint8_t *p, size_t len, size_t step,
             void *arg)
{
    int rc = 0;

    for (size_t i = 0; i < len && rc == 0; i += step) {
        size_t k = len - i < step ? len - i : step;
        rc = dbot__zstd_feed(z, p + i, k, i + k == len, compare, arg);
    }
    return rc;
}

static void
roundtrip(const uint8_t *data, size_t size)
{
    struct expect e = { .n = 0 };
    ZSTD_CCtx *c = ZSTD_createCCtx();
    struct dbot__zstd *z = dbot__zstd_new(MAX_OUT);
    size_t cap = ZSTD_compressBound(size) + 4096;
    uint8_t *buf = malloc(cap);
    size_t step = 1 + data[2] % 200;
    const uint8_t *p = data + 3, *end = data + size;

    if (!c || !z || !buf)
        abort();
    ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, data[1] % 20);
    while (p <= end && e.n < 256) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        size_t mlen = nl ? (size_t)(nl - p) : (size_t)(end - p);
        ZSTD_inBuffer in = { p, mlen, 0 };
        ZSTD_outBuffer out = { buf, cap, 0 };
        size_t left;

        if (mlen > 0) {
            e.msgs[e.n] = p;
            e.lens[e.n] = mlen;
            e.n++;
        }
        do {
            left = ZSTD_compressStream2(c, &out, &in, ZSTD_e_flush);
            if (ZSTD_isError(left))
                abort();
        } while (left != 0);
        if (out.pos > 0 && feed_message(z, buf, out.pos, step, &e) != 0)
            abort();
        if (!nl)
            break;
        p = nl + 1;
    }
    if (e.next != e.n)
        abort();
    ZSTD_freeCCtx(c);
    dbot__zstd_free(z);
    free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    if (data[0] & 1) {
        roundtrip(data, size);
    } else {
        struct dbot__zstd *z = dbot__zstd_new(64 * 1024);
        size_t step = 1 + data[1] % 97;
        int frag = 0;

        if (!z)
            abort();
        for (size_t i = 2; i < size; i += step) {
            size_t k = size - i < step ? size - i : step;
            int final = ++frag % 3 == 0 || i + k == size;
            if (dbot__zstd_feed(z, data + i, k, final, ignore, NULL) < 0)
                break;
        }
        dbot__zstd_free(z);
    }
    return 0;
}
