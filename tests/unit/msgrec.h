/*
 * msgrec.h: a callback for the transport decompressors' tests that records
 * every delivered message (a copy, checked to be NUL-terminated).
 */
#ifndef DBOT_TESTS_MSGREC_H
#define DBOT_TESTS_MSGREC_H

#include "../check.h"

#include <stdlib.h>
#include <string.h>

#define MAX_GOT 16
struct got {
    int n;
    char *msg[MAX_GOT];
    size_t len[MAX_GOT];
};

static void
on_msg(const char *out, size_t len, void *arg)
{
    struct got *g = arg;

    ASSERT_EQ(out[len], '\0');
    ASSERT_TRUE(g->n < MAX_GOT);
    g->msg[g->n] = malloc(len + 1);
    memcpy(g->msg[g->n], out, len + 1);
    g->len[g->n] = len;
    g->n++;
}

static void
got_free(struct got *g)
{
    for (int i = 0; i < g->n; i++)
        free(g->msg[i]);
    memset(g, 0, sizeof *g);
}

#endif
