/*
 * bench_codec.c: GUILD_CREATE decoding, the gateway's heaviest path:
 * inflate a ~5 MB zlib-stream message (fed in 16 KiB frames) and parse it.
 * Prints MB/s for each step.
 */
#include "gateway_codec.h"
#include "zstream.h"

#include <dbot/dbot.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_clock.h"
#include <zlib.h>

static size_t delivered;

static void
on_msg(const char *out, size_t len, void *arg)
{
    (void)out;
    (void)arg;
    delivered += len;
}

int
main(void)
{
    size_t cap = 6 << 20, n = 0, zcap, zlen;
    char *text = malloc(cap);
    unsigned char *z;
    z_stream d;
    int rounds = 10;

    n += (size_t)snprintf(text, cap,
                          "{\"op\":0,\"s\":2,\"t\":\"GUILD_CREATE\","
                          "\"d\":{\"id\":\"1\",\"members\":[");
    for (unsigned i = 0; n < (5u << 20); i++)
        n += (size_t)snprintf(text + n, cap - n,
                              "%s{\"user\":{\"id\":\"%u\",\"username\":"
                              "\"user%u\"},\"roles\":[],\"joined_at\":"
                              "\"2024-01-01T00:00:00+00:00\"}",
                              i ? "," : "", 100000000u + i * 7919u, i);
    n += (size_t)snprintf(text + n, cap - n, "]}}");

    memset(&d, 0, sizeof d);
    deflateInit(&d, Z_DEFAULT_COMPRESSION);
    zcap = deflateBound(&d, n) + 64;
    z = malloc(zcap);
    d.next_in = (Bytef *)text;
    d.avail_in = (uInt)n;
    d.next_out = z;
    d.avail_out = (uInt)zcap;
    deflate(&d, Z_SYNC_FLUSH);
    zlen = zcap - d.avail_out;
    deflateEnd(&d);

    double t0 = now_s();
    for (int r = 0; r < rounds; r++) {
        struct dbot__zstream *zs = dbot__zstream_new((size_t)64 << 20);
        for (size_t i = 0; i < zlen; i += 16384)
            dbot__zstream_feed(zs, z + i, zlen - i < 16384 ? zlen - i : 16384,
                               on_msg, NULL);
        dbot__zstream_free(zs);
    }
    double t1 = now_s();
    for (int r = 0; r < rounds; r++) {
        struct dbot__gw_msg m;
        if (dbot__gw_parse(text, n, &m, NULL, 0) == 0)
            cJSON_Delete(m.root);
    }
    double t2 = now_s();
    if (delivered != n * (size_t)rounds) {
        fprintf(stderr, "bench_codec: delivered %zu, want %zu\n", delivered,
                n * (size_t)rounds);
        return 1;
    }
    printf("message %.1f MB (%.1f MB compressed)\n", (double)n / 1e6,
           (double)zlen / 1e6);
    printf("inflate: %.0f MB/s (%.1f ms per message)\n",
           (double)n * rounds / 1e6 / (t1 - t0), (t1 - t0) * 1e3 / rounds);
    printf("parse:   %.0f MB/s (%.1f ms per message)\n",
           (double)n * rounds / 1e6 / (t2 - t1), (t2 - t1) * 1e3 / rounds);
    free(z);
    free(text);
    return 0;
}
