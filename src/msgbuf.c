/*
 * msgbuf.c: a decompressor's growing output buffer (see msgbuf.h).
 */
#include "msgbuf.h"

#include <dbot/dbot.h>

#include <stdlib.h>

#define MIN_CAP      (64 * 1024)
#define KEEP_MAX_CAP (1024 * 1024)

int
dbot__msgbuf_reserve(struct dbot__msgbuf *b)
{
    size_t limit = b->max + 2;
    size_t cap;
    char *p;

    if (b->cap >= b->len + 2)
        return 0;
    if (b->cap >= limit)
        return DBOT_ETOOBIG;
    cap = b->cap ? b->cap * 2 : MIN_CAP;
    if (cap > limit || cap < b->cap)
        cap = limit;
    p = realloc(b->p, cap);
    if (!p)
        return DBOT_ENOMEM;
    b->p = p;
    b->cap = cap;
    return 0;
}

void
dbot__msgbuf_trim(struct dbot__msgbuf *b)
{
    if (b->cap > KEEP_MAX_CAP && b->len == 0) {
        free(b->p);
        b->p = NULL;
        b->cap = 0;
    }
}
