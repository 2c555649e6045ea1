/*
 * msgbuf.h: the output buffer of a transport decompressor (zstream.c,
 * zstd_stream.c): one gateway message, grown by doubling up to a bound,
 * always with room for a closing NUL, and released after large messages
 * so a burst of big GUILD_CREATEs does not pin memory. Pure.
 */
#ifndef DBOT_SRC_MSGBUF_H
#define DBOT_SRC_MSGBUF_H

#include <stddef.h>

struct dbot__msgbuf {
    char *p;
    size_t len, cap;
    size_t max; /* bound on len: one decompressed message */
};

/* Make room for at least one more byte after len, plus the NUL. Returns 0,
 * DBOT_ETOOBIG once cap has reached max + 2 (so a message of max + 1 bytes
 * is seen as too big), or DBOT_ENOMEM. */
int dbot__msgbuf_reserve(struct dbot__msgbuf *b);

/* Free the storage when it is empty and above 1 MiB. */
void dbot__msgbuf_trim(struct dbot__msgbuf *b);

#endif
