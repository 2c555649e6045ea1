/*
 * zstream.c: Discord's zlib-stream transport compression.
 *
 * DESIGN. The server deflates the whole connection as one zlib stream and
 * ends every gateway message with Z_SYNC_FLUSH, which emits an empty stored
 * block: a 3-bit header, padding to a byte boundary, then LEN=0000 and
 * NLEN=ffff, the "00 00 ff ff" suffix. We buffer input until the buffered
 * bytes end with that suffix (protocol §1.3: never inflate earlier), then
 * inflate them through the one context the connection keeps.
 *
 * Finding message boundaries. One buffer may hold several messages (a
 * frame carrying bytes of two flushes), and the four suffix bytes may also
 * occur by chance inside compressed data. So boundaries are not taken from
 * the input bytes alone: inflate runs with Z_BLOCK, which returns at every
 * deflate block boundary, and a boundary ends a message only when
 *   - the block just finished produced no output (an empty block),
 *   - it ended on a byte boundary (no bits left over), and
 *   - the last four input bytes it consumed are 00 00 ff ff.
 * That is exactly an empty stored block, the sync-flush marker. A chance
 * 00 00 ff ff at the end of a buffer inflates to a partial message, which
 * stays in the output buffer until the real flush arrives; nothing is cut.
 *
 * No checksum. The two-byte zlib header is checked here (deflate, window
 * up to 32 KiB, no preset dictionary) and the rest goes through a raw
 * inflate: zlib would otherwise run adler32 over every output byte (~6% of
 * a gateway's CPU) to verify a trailer that a stream Discord never ends
 * never sends. Corruption is still caught by deflate's own structure (bad
 * block types, codes, distances) and by the JSON parser after it; a stream
 * that does end may carry its 4-byte trailer, which is not verified.
 *
 * Memory. The output buffer (msgbuf.h) grows by doubling up to max_out
 * (+2 bytes: one to detect overflow, one for the NUL); the compressed
 * backlog is bounded by roughly the same amount. Buffers above 1 MiB are
 * released after use so a burst of large GUILD_CREATEs does not pin memory
 * for the connection's life. Any error leaves the context unusable: its
 * inflate state no longer matches the server's, so only a new connection
 * (and a new context) helps.
 */
#include "zstream.h"

#include "msgbuf.h"

#include <dbot/dbot.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define KEEP_MAX_CAP (1024 * 1024)
#define TRAILER_LEN  4 /* adler32 after the last block, not verified */

static const unsigned char marker[4] = { 0x00, 0x00, 0xff, 0xff };

struct dbot__zstream {
    z_stream strm;
    size_t max_out; /* bound on one decompressed message */
    size_t max_in;  /* bound on the buffered compressed backlog */

    unsigned char *in; /* compressed bytes waiting for a suffix */
    size_t in_len, in_cap;

    struct dbot__msgbuf out; /* current message's output so far */
    size_t block_out;        /* out.len at the last block boundary */

    unsigned char hdr[2]; /* the zlib header, checked, then skipped */
    size_t hdr_len;

    unsigned char tail[4]; /* last bytes inflated before the current input */
    size_t tail_len;

    int broken;          /* sticky error; 0 while usable */
    bool ended;          /* the stream ended (Z_STREAM_END) */
    size_t trailer_seen; /* bytes after the end, at most TRAILER_LEN */
};

/* zlib's allocations go through dbot's own calls to calloc and free, not
 * zlib's internal ones, so the allocation-failure tests
 * (tests/torture/) reach inflateInit's and inflate's Z_MEM_ERROR paths
 * too. */
static voidpf
z_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return calloc(items, size);
}

static void
z_free(voidpf opaque, voidpf p)
{
    (void)opaque;
    free(p);
}

struct dbot__zstream *
dbot__zstream_new(size_t max_out)
{
    struct dbot__zstream *z = calloc(1, sizeof *z);

    if (!z)
        return NULL;
    if (max_out < 1)
        max_out = 1;
    if (max_out > SIZE_MAX / 4)
        max_out = SIZE_MAX / 4;
    z->max_out = max_out;
    z->out.max = max_out;
    z->max_in = max_out + max_out / 64 + 4096;
    z->strm.zalloc = z_alloc;
    z->strm.zfree = z_free;
    /* Raw inflate with the largest window: any smaller window the server
     * announces in its header decodes the same. */
    if (inflateInit2(&z->strm, -15) != Z_OK) {
        free(z);
        return NULL;
    }
    return z;
}

void
dbot__zstream_free(struct dbot__zstream *z)
{
    if (!z)
        return;
    inflateEnd(&z->strm);
    free(z->in);
    free(z->out.p);
    free(z);
}

/* Do the 4 bytes before buf[pos] (reaching back into earlier input through
 * z->tail) equal the flush marker? */
static bool
marker_before(const struct dbot__zstream *z, const unsigned char *buf,
              size_t pos)
{
    for (size_t k = 0; k < 4; k++) {
        unsigned char c;
        size_t back = 4 - k; /* this byte is at pos - back */

        if (back <= pos)
            c = buf[pos - back];
        else if (back - pos <= z->tail_len)
            c = z->tail[z->tail_len - (back - pos)];
        else
            return false;
        if (c != marker[k])
            return false;
    }
    return true;
}

static void
remember_tail(struct dbot__zstream *z, const unsigned char *buf, size_t len)
{
    if (len >= 4) {
        memcpy(z->tail, buf + len - 4, 4);
        z->tail_len = 4;
        return;
    }
    /* Shift the old tail left to make room for the short new input. */
    size_t keep = z->tail_len + len > 4 ? 4 - len : z->tail_len;
    memmove(z->tail, z->tail + z->tail_len - keep, keep);
    memcpy(z->tail + keep, buf, len);
    z->tail_len = keep + len;
}

/* A zlib header (RFC 1950 §2.2): deflate, a window of at most 32 KiB, a
 * valid check value, no preset dictionary. */
static bool
zlib_header_ok(const unsigned char h[2])
{
    return (h[0] & 0x0f) == 8 && (h[0] >> 4) <= 7 &&
           ((unsigned)h[0] << 8 | h[1]) % 31 == 0 && !(h[1] & 0x20);
}

/* Take the zlib header from the start of buf (it may come a byte at a
 * time). Returns how many bytes of buf it used, or DBOT_EIO. */
static int
eat_header(struct dbot__zstream *z, const unsigned char *buf, size_t len)
{
    size_t used = 0;

    while (z->hdr_len < 2 && used < len)
        z->hdr[z->hdr_len++] = buf[used++];
    if (used && z->hdr_len == 2 && !zlib_header_ok(z->hdr))
        return DBOT_EIO;
    return (int)used;
}

/* Bytes after the end of the stream: only its trailer is allowed. */
static int
after_end(struct dbot__zstream *z, size_t extra)
{
    if (extra > TRAILER_LEN - z->trailer_seen)
        return DBOT_EIO;
    z->trailer_seen += extra;
    return 0;
}

static void
deliver(struct dbot__zstream *z, dbot__zstream_msg_fn fn, void *arg)
{
    /* Consecutive flushes with nothing between them carry no message. */
    if (z->out.len > 0 && fn) {
        z->out.p[z->out.len] = '\0';
        fn(z->out.p, z->out.len, arg);
    }
    z->out.len = 0;
    z->block_out = 0;
}

/* Inflate all of buf, delivering each message it completes. */
static int
inflate_all(struct dbot__zstream *z, const unsigned char *buf, size_t len,
            dbot__zstream_msg_fn fn, void *arg)
{
    z_stream *s = &z->strm;
    int rc = 0;

    if (z->ended)
        return after_end(z, len);
    rc = eat_header(z, buf, len);
    if (rc < 0)
        return rc;
    s->next_in = (Bytef *)(uintptr_t)buf;
    s->avail_in = 0;
    /* avail_in is a uInt; feed huge buffers in pieces. Offsets (fed,
     * consumed) count from buf, header bytes included. */
    size_t fed = (size_t)rc;
    for (;;) {
        size_t avail, before_out;
        int ret;

        if (s->avail_in == 0 && fed < len) {
            size_t piece =
                len - fed > (size_t)1 << 30 ? (size_t)1 << 30 : len - fed;
            s->next_in = (Bytef *)(uintptr_t)(buf + fed);
            s->avail_in = (uInt)piece;
            fed += piece;
        }
        rc = dbot__msgbuf_reserve(&z->out);
        if (rc < 0)
            return rc;
        avail = z->out.cap - 1 - z->out.len;
        if (avail > (size_t)1 << 30)
            avail = (size_t)1 << 30;
        s->next_out = (Bytef *)(z->out.p + z->out.len);
        s->avail_out = (uInt)avail;
        before_out = avail;

        ret = inflate(s, Z_BLOCK);
        z->out.len += before_out - s->avail_out;
        if (z->out.len > z->max_out)
            return DBOT_ETOOBIG;

        switch (ret) {
        case Z_OK:
            break;
        case Z_STREAM_END:
            /* Discord never ends the stream; accept a clean end, refuse
             * anything after it. */
            deliver(z, fn, arg);
            z->ended = true;
            return after_end(z, s->avail_in + (len - fed));
        case Z_BUF_ERROR:
            /* No progress: either out of output space (grow and retry) or
             * out of input (done). */
            if (s->avail_out == 0)
                continue;
            if (s->avail_in == 0 && fed == len)
                goto done;
            return DBOT_EIO;
        case Z_MEM_ERROR:
            return DBOT_ENOMEM;
        default: /* Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR */
            return DBOT_EIO;
        }

        if (s->data_type & 128) {
            size_t consumed = fed - s->avail_in;
            if (z->out.len == z->block_out && (s->data_type & 7) == 0 &&
                marker_before(z, buf, consumed))
                deliver(z, fn, arg);
            z->block_out = z->out.len;
        }
        if (s->avail_in == 0 && fed == len && s->avail_out > 0)
            break;
    }
done:
    remember_tail(z, buf, len);
    return 0;
}

static void
trim_buffers(struct dbot__zstream *z)
{
    if (z->in_cap > KEEP_MAX_CAP && z->in_len == 0) {
        free(z->in);
        z->in = NULL;
        z->in_cap = 0;
    }
    dbot__msgbuf_trim(&z->out);
}

static bool
ends_with_marker(const unsigned char *p, size_t len)
{
    return len >= 4 && memcmp(p + len - 4, marker, 4) == 0;
}

int
dbot__zstream_feed(struct dbot__zstream *z, const void *data, size_t len,
                   dbot__zstream_msg_fn fn, void *arg)
{
    const unsigned char *d = data;
    int rc;

    if (z->broken)
        return z->broken;
    if (len == 0)
        return 0;
    if (z->in_len == 0 && ends_with_marker(d, len)) {
        /* The common case: one whole message in one frame; no copy. */
        rc = inflate_all(z, d, len, fn, arg);
    } else {
        if (len > z->max_in - z->in_len) {
            rc = DBOT_ETOOBIG;
            goto out;
        }
        if (z->in_len + len > z->in_cap) {
            size_t cap = z->in_cap ? z->in_cap : 4096;
            unsigned char *p;
            while (cap < z->in_len + len)
                cap = cap > z->max_in / 2 ? z->max_in : cap * 2;
            p = realloc(z->in, cap);
            if (!p) {
                rc = DBOT_ENOMEM;
                goto out;
            }
            z->in = p;
            z->in_cap = cap;
        }
        memcpy(z->in + z->in_len, d, len);
        z->in_len += len;
        if (!ends_with_marker(z->in, z->in_len))
            return 0;
        rc = inflate_all(z, z->in, z->in_len, fn, arg);
        z->in_len = 0;
    }
out:
    if (rc < 0) {
        z->broken = rc;
        z->out.len = 0;
        z->in_len = 0;
        return rc;
    }
    trim_buffers(z);
    return 0;
}
