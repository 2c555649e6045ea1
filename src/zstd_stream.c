/*
 * zstd_stream.c: Discord's zstd-stream transport compression.
 *
 * DESIGN. The server compresses the whole connection as one zstd stream and
 * flushes it at the end of every gateway message without ending the frame,
 * so every websocket message decompresses to exactly one gateway message.
 * Each fragment is decompressed as it arrives (no compressed backlog is
 * kept: the DStream holds what it needs); at the final fragment the
 * decoder is drained, ZSTD_decompressStream being called until it stops
 * filling the output buffer, and the message is delivered. A return value
 * of 0 (a frame ended) is not needed and not waited for.
 *
 * Bounds. The output (msgbuf.h) grows by doubling up to max_out (+2
 * bytes: one to detect overflow, one for the NUL); past it the message is
 * refused with DBOT_ETOOBIG. The decoder's window is limited to WINDOW_LOG_MAX,
 * zstd's own default limit (128 MiB), stated here so a server cannot make the
 * decoder allocate more. Any error leaves the context unusable, as with
 * zlib-stream: the next connection gets a fresh one.
 */
#include "zstd_stream.h"

#include "msgbuf.h"

#include <dbot/dbot.h>

#include <stdlib.h>
#include <string.h>
#include <zstd.h>
#include <zstd_errors.h>

#define WINDOW_LOG_MAX 27

struct dbot__zstd {
    ZSTD_DStream *ds;
    struct dbot__msgbuf out; /* current message's output so far */
    int broken;              /* sticky error; 0 while usable */
};

struct dbot__zstd *
dbot__zstd_new(size_t max_out)
{
    struct dbot__zstd *z = calloc(1, sizeof *z);

    if (!z)
        return NULL;
    if (max_out < 1)
        max_out = 1;
    if (max_out > SIZE_MAX / 4)
        max_out = SIZE_MAX / 4;
    z->out.max = max_out;
    z->ds = ZSTD_createDStream();
    if (!z->ds || ZSTD_isError(ZSTD_DCtx_setParameter(
                      z->ds, ZSTD_d_windowLogMax, WINDOW_LOG_MAX))) {
        ZSTD_freeDStream(z->ds);
        free(z);
        return NULL;
    }
    return z;
}

void
dbot__zstd_free(struct dbot__zstd *z)
{
    if (!z)
        return;
    ZSTD_freeDStream(z->ds);
    free(z->out.p);
    free(z);
}

static int
zstd_errno(size_t ret)
{
    switch (ZSTD_getErrorCode(ret)) {
    case ZSTD_error_memory_allocation:
        return DBOT_ENOMEM;
    default: /* corruption, window too large, unknown frame type ... */
        return DBOT_EIO;
    }
}

/* Decompress all of in, and go on while the decoder still fills the
 * output: it may hold decoded bytes it has not written yet. Output left
 * unfilled with all input consumed means it flushed all it could. */
static int
decompress(struct dbot__zstd *z, ZSTD_inBuffer *in)
{
    for (;;) {
        ZSTD_outBuffer out;
        size_t ret;
        int rc;

        rc = dbot__msgbuf_reserve(&z->out);
        if (rc < 0)
            return rc;
        out.dst = z->out.p + z->out.len;
        out.size = z->out.cap - 1 - z->out.len;
        out.pos = 0;
        ret = ZSTD_decompressStream(z->ds, &out, in);
        if (ZSTD_isError(ret))
            return zstd_errno(ret);
        z->out.len += out.pos;
        if (z->out.len > z->out.max)
            return DBOT_ETOOBIG;
        if (out.pos == out.size)
            continue; /* output full: there may be more */
        if (in->pos == in->size)
            return 0;
    }
}

int
dbot__zstd_feed(struct dbot__zstd *z, const void *data, size_t len, int final,
                dbot__zstream_msg_fn fn, void *arg)
{
    ZSTD_inBuffer in = { data, len, 0 };
    int rc;

    if (z->broken)
        return z->broken;
    rc = decompress(z, &in);
    if (rc < 0) {
        z->broken = rc;
        z->out.len = 0;
        return rc;
    }
    if (!final)
        return 0;
    if (z->out.len > 0 && fn) {
        z->out.p[z->out.len] = '\0';
        fn(z->out.p, z->out.len, arg);
    }
    z->out.len = 0;
    dbot__msgbuf_trim(&z->out);
    return 0;
}
