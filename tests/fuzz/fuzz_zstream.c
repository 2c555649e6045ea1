/*
 * fuzz_zstream.c: the zlib-stream inflater, two ways (first input byte):
 *   even: the input is a compressed stream, fed in chunks of a size taken
 *         from the second byte; it must never crash or over-read;
 *   odd:  the input (after 3 header bytes) is split at '\n' into messages,
 *         deflated with Z_SYNC_FLUSH after each as Discord does, fed in
 *         chunks, and every non-empty message must come back intact and in
 *         order.
 */
#include "zstream.h"

#include <dbot/dbot.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

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

static void
feed_chunked(struct dbot__zstream *z, const uint8_t *p, size_t len, size_t step,
             dbot__zstream_msg_fn fn, void *arg, int must_pass)
{
    for (size_t i = 0; i < len; i += step) {
        size_t k = len - i < step ? len - i : step;
        int rc = dbot__zstream_feed(z, p + i, k, fn, arg);
        if (rc < 0) {
            if (must_pass)
                abort();
            return;
        }
    }
}

static void
roundtrip(const uint8_t *data, size_t size)
{
    struct expect e = { .n = 0 };
    z_stream d;
    uint8_t *buf;
    size_t cap, len = 0;
    int level = data[1] % 10;
    size_t step = 1 + data[2] % 200;
    const uint8_t *p = data + 3, *end = data + size;

    memset(&d, 0, sizeof d);
    if (deflateInit(&d, level) != Z_OK)
        abort();
    cap = 2 * size + 4096;
    buf = malloc(cap);
    while (p <= end && e.n < 256) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        size_t mlen = nl ? (size_t)(nl - p) : (size_t)(end - p);

        if (mlen > 0) {
            e.msgs[e.n] = p;
            e.lens[e.n] = mlen;
            e.n++;
            d.next_in = (Bytef *)(uintptr_t)p;
            d.avail_in = (uInt)mlen;
            do {
                if (cap - len < 1024) {
                    cap *= 2;
                    buf = realloc(buf, cap);
                }
                d.next_out = buf + len;
                d.avail_out = (uInt)(cap - len);
                deflate(&d, Z_SYNC_FLUSH);
                len = cap - d.avail_out;
            } while (d.avail_out == 0 || d.avail_in > 0);
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    deflateEnd(&d);

    struct dbot__zstream *z = dbot__zstream_new(MAX_OUT);
    if (!z)
        abort();
    feed_chunked(z, buf, len, step, compare, &e, 1);
    if (e.next != e.n)
        abort();
    dbot__zstream_free(z);
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
        struct dbot__zstream *z = dbot__zstream_new(64 * 1024);
        if (!z)
            abort();
        feed_chunked(z, data + 2, size - 2, 1 + data[1] % 97, ignore, NULL, 0);
        dbot__zstream_free(z);
    }
    return 0;
}
