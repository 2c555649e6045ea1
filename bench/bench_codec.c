/*
 * bench_codec.c: GUILD_CREATE decoding, the gateway's heaviest path:
 * inflate a ~5 MB zlib-stream message (fed in 16 KiB frames) and parse it,
 * each beside its floor in the same run (bare zlib, bare cJSON). Prints one
 * JSON line: medians in MB/s of the decompressed size.
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

/* The floor: zlib alone, the whole stream at once, no framing. */
static size_t
bare_inflate(const unsigned char *z, size_t zlen, unsigned char *out,
             size_t cap)
{
    z_stream in;
    size_t got;

    memset(&in, 0, sizeof in);
    inflateInit(&in);
    in.next_in = (Bytef *)z;
    in.avail_in = (uInt)zlen;
    in.next_out = out;
    in.avail_out = (uInt)cap;
    inflate(&in, Z_SYNC_FLUSH);
    got = cap - in.avail_out;
    inflateEnd(&in);
    return got;
}

int
main(void)
{
    size_t cap = 6 << 20, n = 0, zcap, zlen;
    char *text = malloc(cap);
    unsigned char *z;
    z_stream d;
    enum {
        rounds = 11
    };
    double t_inflate[rounds], t_bare_inflate[rounds], t_parse[rounds],
        t_bare_parse[rounds];
    unsigned char *out = malloc(cap + 64);

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

    /* Each step timed per message; medians over `rounds`, beside its floor
     * in the same run: one bare zlib inflate of the whole stream into a
     * buffer already big enough, and a bare cJSON parse of the text. */
    for (int r = 0; r < rounds; r++) {
        struct dbot__zstream *zs = dbot__zstream_new((size_t)64 << 20);
        double t = now_s();

        for (size_t i = 0; i < zlen; i += 16384)
            dbot__zstream_feed(zs, z + i, zlen - i < 16384 ? zlen - i : 16384,
                               on_msg, NULL);
        t_inflate[r] = now_s() - t;
        dbot__zstream_free(zs);

        t = now_s();
        if (bare_inflate(z, zlen, out, n + 64) != n)
            return 1;
        t_bare_inflate[r] = now_s() - t;

        t = now_s();
        {
            struct dbot__gw_msg m;

            if (dbot__gw_parse(text, n, &m, NULL, 0) == 0)
                cJSON_Delete(m.root);
        }
        t_parse[r] = now_s() - t;

        t = now_s();
        cJSON_Delete(cJSON_ParseWithLength(text, n));
        t_bare_parse[r] = now_s() - t;
    }
    if (delivered != n * (size_t)rounds) {
        fprintf(stderr, "bench_codec: delivered %zu, want %zu\n", delivered,
                n * (size_t)rounds);
        return 1;
    }
    printf(
        "{\"bench\":\"codec\",\"message_mb\":%.1f,\"compressed_mb\":%.1f,"
        "\"rounds\":%d,\"inflate_mb_s\":%.0f,\"bare_zlib_inflate_mb_s\":%.0f,"
        "\"parse_mb_s\":%.0f,\"bare_cjson_parse_mb_s\":%.0f,"
        "\"parse_ms\":%.1f}\n",
        (double)n / 1e6, (double)zlen / 1e6, rounds,
        (double)n / 1e6 / bench_median(t_inflate, rounds),
        (double)n / 1e6 / bench_median(t_bare_inflate, rounds),
        (double)n / 1e6 / bench_median(t_parse, rounds),
        (double)n / 1e6 / bench_median(t_bare_parse, rounds),
        bench_median(t_parse, rounds) * 1e3);
    free(out);
    free(z);
    free(text);
    return 0;
}
