/*
 * zstd_stream.h: Discord's zstd-stream transport compression, one
 * ZSTD_DStream per websocket connection.
 *
 * Unlike zlib-stream there is no marker to look for: each websocket message
 * is exactly one gateway message (discord-protocol.md §1.3), so the caller
 * says which fragment ends the websocket message and the decoder delivers
 * what it decompressed so far. The zstd frame itself does not end there;
 * the context carries on into the next message. Pure: no sockets, clocks.
 */
#ifndef DBOT_SRC_ZSTD_STREAM_H
#define DBOT_SRC_ZSTD_STREAM_H

#include <stddef.h>

#include "zstream.h" /* dbot__zstream_msg_fn */

struct dbot__zstd;

/* New context; max_out bounds one decompressed message. Returns NULL on
 * ENOMEM. */
struct dbot__zstd *dbot__zstd_new(size_t max_out);
void dbot__zstd_free(struct dbot__zstd *z);

/* Feed the `len` bytes of one websocket fragment; `final` is non-zero on
 * the last fragment of a websocket message, which then calls `fn` (may be
 * NULL) once with the whole decompressed message (empty messages deliver
 * nothing; out[len] is '\0'; the buffer is borrowed until fn returns, and
 * fn may write into it but must not feed or free this context).
 * Returns 0, DBOT_ETOOBIG (a message over max_out), DBOT_EIO (corrupt
 * stream, or a window larger than the decoder accepts) or DBOT_ENOMEM.
 * Any error is sticky: the connection must be reset. */
int dbot__zstd_feed(struct dbot__zstd *z, const void *data, size_t len,
                    int final, dbot__zstream_msg_fn fn, void *arg);

#endif
