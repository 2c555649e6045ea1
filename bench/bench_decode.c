/*
 * bench_decode.c: gateway decode throughput, the issue #13 measurement.
 * 100,000 different 1.2 KB MESSAGE_CREATEs are compressed as Discord sends
 * them (one zlib stream with Z_SYNC_FLUSH after each message; one zstd
 * stream flushed after each), then decoded by:
 *   floor       a bare C loop over the same zlib bytes: one z_stream,
 *               inflate(Z_SYNC_FLUSH), cJSON_ParseWithLength, look up "t"
 *               and d.content, cJSON_Delete (cJSON's default malloc);
 *   zlib_heap   dbot's zlib-stream decoder + envelope parse, tree on the
 *               heap (what dbot did before the arena);
 *   zlib        dbot's zlib-stream decoder + envelope parse into the
 *               connection's arena (what the gateway does);
 *   zstd        the same over zstd-stream.
 * Each variant does the floor's work per event (op, s, t, d.content).
 * Rounds interleave the variants so machine load hits all alike; medians
 * of ROUNDS. Prints one JSON line: events/s, CPU seconds per 100k events
 * (thread CPU time), the ratios to the floor, and bytes on the wire.
 * discord.js's 59k events/s (issue #13) is quoted for reference only; it
 * was not measured here.
 */
#include "gateway_codec.h"
#include "json_arena.h"
#include "zstd_stream.h"
#include "zstream.h"

#include <dbot/dbot.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_clock.h"
#include <zlib.h>
#include <zstd.h>

#define N_EVENTS 100000
#define ROUNDS   5

struct wire {
    unsigned char *buf;
    size_t len, cap;
    size_t *start; /* message i is buf[start[i], start[i + 1]) */
};

/* A MESSAGE_CREATE as Discord sends it, about 1.2 KB, varying per event. */
static size_t
make_event(char *out, size_t cap, unsigned i)
{
    return (size_t)snprintf(
        out, cap,
        "{\"t\":\"MESSAGE_CREATE\",\"s\":%u,\"op\":0,\"d\":{\"type\":0,"
        "\"tts\":false,\"timestamp\":\"2026-12-03T12:%02u:%02u.%03u000+00:00\","
        "\"referenced_message\":null,\"pinned\":false,\"nonce\":\"%u\","
        "\"mentions\":[],\"mention_roles\":[],\"mention_everyone\":false,"
        "\"member\":{\"roles\":[\"1044%010u\",\"1051%010u\"],\"premium_since\":"
        "null,\"pending\":false,\"nick\":\"nick %u\",\"mute\":false,"
        "\"joined_at\":\"2024-01-%02uT10:00:00.000000+00:00\",\"flags\":0,"
        "\"deaf\":false,\"communication_disabled_until\":null,\"banner\":null,"
        "\"avatar\":null},\"id\":\"1180%015u\",\"flags\":0,\"embeds\":[],"
        "\"edited_timestamp\":null,\"content\":\"message number %u: the "
        "quick brown fox jumps over the lazy dog; \\\"quoted\\\" and "
        "\\u00e9scaped text, with a link https://example.com/%u\","
        "\"components\":[],\"channel_type\":0,\"channel_id\":\"1010%015u\","
        "\"author\":{\"username\":\"user%u\",\"public_flags\":0,\"id\":"
        "\"2010%015u\",\"global_name\":\"User %u\",\"discriminator\":\"0\","
        "\"clan\":null,\"avatar_decoration_data\":null,\"avatar\":"
        "\"a_%08x%08x%08x%08x\"},\"attachments\":[],\"guild_id\":"
        "\"3010%015u\",\"sticker_items\":[],\"position\":0,"
        "\"application_id\":null,\"activity\":null,\"poll\":null,"
        "\"message_reference\":null,\"interaction_metadata\":null,"
        "\"thread\":null,\"role_subscription_data\":null,\"call\":null,"
        "\"resolved\":null,\"webhook_id\":null}}",
        i + 1, i / 60 % 60, i % 60, i % 1000, i * 2654435761u, i % 7, i % 11,
        i % 97, 1 + i % 28, i, i, i, i % 5000, i % 500, i % 5000, i % 5000,
        i * 40503u, i * 2246822519u, i ^ 0x5bd1e995u, i * 3266489917u, i % 3);
}

static void
wire_append(struct wire *w, size_t need)
{
    if (w->cap - w->len < need) {
        w->cap = (w->cap + need) * 2;
        w->buf = realloc(w->buf, w->cap);
        if (!w->buf)
            abort();
    }
}

static void
compress_all(struct wire *zl, struct wire *zs, size_t *raw_bytes)
{
    z_stream d;
    ZSTD_CCtx *c = ZSTD_createCCtx();
    char ev[2048];

    memset(&d, 0, sizeof d);
    deflateInit(&d, Z_DEFAULT_COMPRESSION);
    /* Discord's compression level for zstd-stream is not documented;
     * zstd's default (3) is what libraries' servers in tests use. */
    ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 3);
    zl->start = calloc(N_EVENTS + 1, sizeof *zl->start);
    zs->start = calloc(N_EVENTS + 1, sizeof *zs->start);
    *raw_bytes = 0;
    for (unsigned i = 0; i < N_EVENTS; i++) {
        size_t n = make_event(ev, sizeof ev, i);
        ZSTD_inBuffer in = { ev, n, 0 };
        size_t left;

        *raw_bytes += n;
        zl->start[i] = zl->len;
        d.next_in = (Bytef *)ev;
        d.avail_in = (uInt)n;
        do {
            wire_append(zl, 4096);
            d.next_out = zl->buf + zl->len;
            d.avail_out = (uInt)(zl->cap - zl->len);
            deflate(&d, Z_SYNC_FLUSH);
            zl->len = zl->cap - d.avail_out;
        } while (d.avail_out == 0);
        zs->start[i] = zs->len;
        do {
            wire_append(zs, 4096);
            ZSTD_outBuffer out = { zs->buf, zs->cap, zs->len };
            left = ZSTD_compressStream2(c, &out, &in, ZSTD_e_flush);
            zs->len = out.pos;
        } while (left != 0);
    }
    zl->start[N_EVENTS] = zl->len;
    zs->start[N_EVENTS] = zs->len;
    deflateEnd(&d);
    ZSTD_freeCCtx(c);
}

/* ---- the floor ---------------------------------------------------------- */

static size_t content_bytes; /* keeps the lookups from being optimised out */

static void
floor_loop(const struct wire *w)
{
    z_stream in;
    size_t cap = 64 * 1024;
    unsigned char *out = malloc(cap);

    memset(&in, 0, sizeof in);
    inflateInit(&in);
    for (int i = 0; i < N_EVENTS; i++) {
        in.next_in = w->buf + w->start[i];
        in.avail_in = (uInt)(w->start[i + 1] - w->start[i]);
        in.next_out = out;
        in.avail_out = (uInt)cap;
        inflate(&in, Z_SYNC_FLUSH);
        cJSON *root =
            cJSON_ParseWithLength((const char *)out, cap - in.avail_out);
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "t");
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "d");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(d, "content");
        if (!cJSON_IsString(t) || !cJSON_IsString(c))
            abort();
        content_bytes += strlen(c->valuestring);
        cJSON_Delete(root);
    }
    inflateEnd(&in);
    free(out);
}

/* ---- dbot -----------------------------------------------------------------
 */

struct sink {
    struct dbot__jarena *arena; /* NULL: heap trees */
    int events;
};

static void
on_message(const char *text, size_t len, void *arg)
{
    struct sink *k = arg;
    struct dbot__gw_msg m;

    if (dbot__gw_parse_in(k->arena, text, len, &m, NULL, 0) < 0)
        abort();
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(m.d, "content");
    if (m.op != 0 || m.s < 0 || !m.t || !cJSON_IsString(c))
        abort();
    content_bytes += strlen(c->valuestring);
    k->events++;
    dbot__gw_msg_release(&m);
}

static void
dbot_zlib(const struct wire *w, struct dbot__jarena *arena)
{
    struct dbot__zstream *z = dbot__zstream_new(64u << 20);
    struct sink k = { arena, 0 };

    for (int i = 0; i < N_EVENTS; i++)
        if (dbot__zstream_feed(z, w->buf + w->start[i],
                               w->start[i + 1] - w->start[i], on_message,
                               &k) < 0)
            abort();
    if (k.events != N_EVENTS)
        abort();
    dbot__zstream_free(z);
}

static void
dbot_zstd(const struct wire *w, struct dbot__jarena *arena)
{
    struct dbot__zstd *z = dbot__zstd_new(64u << 20);
    struct sink k = { arena, 0 };

    for (int i = 0; i < N_EVENTS; i++)
        if (dbot__zstd_feed(z, w->buf + w->start[i],
                            w->start[i + 1] - w->start[i], 1, on_message,
                            &k) < 0)
            abort();
    if (k.events != N_EVENTS)
        abort();
    dbot__zstd_free(z);
}

enum {
    V_FLOOR,
    V_ZLIB_HEAP,
    V_ZLIB,
    V_ZSTD,
    N_V
};

int
main(void)
{
    static const char *name[N_V] = { "floor", "zlib_heap", "zlib", "zstd" };
    struct wire zl = { 0 }, zs = { 0 };
    size_t raw = 0;
    double wall[N_V][ROUNDS], cpu[N_V][ROUNDS], ev_s[N_V], cpu100k[N_V];
    struct dbot__jarena *arena = dbot__jarena_new(1u << 30);

    compress_all(&zl, &zs, &raw);
    for (int r = 0; r < ROUNDS; r++) {
        for (int v = 0; v < N_V; v++) {
            double t0 = now_s(), c0 = cpu_s();
            switch (v) {
            case V_FLOOR:
                floor_loop(&zl);
                break;
            case V_ZLIB_HEAP:
                dbot_zlib(&zl, NULL);
                break;
            case V_ZLIB:
                dbot_zlib(&zl, arena);
                break;
            case V_ZSTD:
                dbot_zstd(&zs, arena);
                break;
            }
            wall[v][r] = now_s() - t0;
            cpu[v][r] = cpu_s() - c0;
        }
    }
    for (int v = 0; v < N_V; v++) {
        ev_s[v] = N_EVENTS / bench_median(wall[v], ROUNDS);
        cpu100k[v] = bench_median(cpu[v], ROUNDS) * (100000.0 / N_EVENTS);
    }
    printf("{\"bench\":\"decode\",\"events\":%d,\"rounds\":%d,"
           "\"event_bytes\":%.0f,\"zlib_wire_bytes_per_event\":%.1f,"
           "\"zstd_wire_bytes_per_event\":%.1f",
           N_EVENTS, ROUNDS, (double)raw / N_EVENTS, (double)zl.len / N_EVENTS,
           (double)zs.len / N_EVENTS);
    for (int v = 0; v < N_V; v++)
        printf(",\"%s_events_s\":%.0f,\"%s_cpu_s_per_100k\":%.3f", name[v],
               ev_s[v], name[v], cpu100k[v]);
    for (int v = V_ZLIB_HEAP; v < N_V; v++)
        printf(",\"%s_vs_floor_events\":%.2f,\"%s_vs_floor_cpu\":%.2f", name[v],
               ev_s[v] / ev_s[V_FLOOR], name[v], cpu100k[v] / cpu100k[V_FLOOR]);
    printf(",\"discordjs_events_s_reference\":59000}\n");
    if (content_bytes == 0)
        return 1;
    dbot__jarena_free(arena);
    free(zl.buf);
    free(zl.start);
    free(zs.buf);
    free(zs.start);
    return 0;
}
