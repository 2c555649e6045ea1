/*
 * zstream.h: Discord's zlib-stream transport compression, one inflate
 * context per websocket connection.
 *
 * Bytes of every websocket message (and every fragment) are fed in order. A
 * gateway message is complete when the bytes received so far end with the
 * Z_SYNC_FLUSH marker 00 00 ff ff; only then is the buffer inflated through
 * the connection's shared context. Output grows as needed up to `max_out`
 * bytes per message. Pure: no sockets, no clocks.
 */
#ifndef DBOT_SRC_ZSTREAM_H
#define DBOT_SRC_ZSTREAM_H

#include <stddef.h>

struct dbot__zstream;

/* New context; max_out bounds one decompressed message (and the compressed
 * backlog). Returns NULL on ENOMEM. */
struct dbot__zstream *dbot__zstream_new(size_t max_out);
void dbot__zstream_free(struct dbot__zstream *z);

/* Called for each complete gateway message (not NUL-terminated in general,
 * but out[len] is guaranteed to be '\0' for convenience). The buffer is
 * borrowed until the callback returns. */
typedef void (*dbot__zstream_msg_fn)(const char *out, size_t len, void *arg);

/* Feed `len` bytes. Calls `fn` (may be NULL) for each message completed by
 * them, in order; empty flushes deliver nothing. `fn` must not feed or free
 * this context.
 * Returns 0, DBOT_ETOOBIG (a message over max_out: that message is
 * dropped, the context is unusable and the connection must be reset),
 * DBOT_EIO (corrupt stream; likewise) or DBOT_ENOMEM (likewise). */
int dbot__zstream_feed(struct dbot__zstream *z, const void *data, size_t len,
                       dbot__zstream_msg_fn fn, void *arg);

#endif
