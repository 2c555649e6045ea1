/*
 * test_zstd_stream.c: the zstd-stream decoder against real libzstd output
 * flushed (ZSTD_e_flush, the frame never ended) after every message, one
 * websocket message per gateway message, as Discord sends it.
 */
#include "../check.h"
#include "msgrec.h"
#include "zstd_stream.h"

#include <dbot/dbot.h>

#include <zstd.h>

/* ---- a compressing "server" ------------------------------------------- */

#define MAX_MSGS 8
struct server {
    ZSTD_CCtx *c;
    unsigned char *buf;
    size_t len, cap;
    size_t start[MAX_MSGS + 1]; /* message i is buf[start[i], start[i+1]) */
    int n;
};

static void
server_init(struct server *s, int level)
{
    memset(s, 0, sizeof *s);
    s->c = ZSTD_createCCtx();
    ASSERT_TRUE(s->c != NULL);
    ASSERT_TRUE(!ZSTD_isError(
        ZSTD_CCtx_setParameter(s->c, ZSTD_c_compressionLevel, level)));
}

static void
server_free(struct server *s)
{
    ZSTD_freeCCtx(s->c);
    free(s->buf);
}

/* Compress one message and flush; appends one websocket message. */
static void
server_send(struct server *s, const void *msg, size_t len)
{
    ZSTD_inBuffer in = { msg, len, 0 };
    size_t left;

    ASSERT_TRUE(s->n < MAX_MSGS);
    s->start[s->n] = s->len;
    do {
        if (s->cap - s->len < 65536) {
            s->cap = s->cap * 2 + 65536;
            s->buf = realloc(s->buf, s->cap);
            ASSERT_TRUE(s->buf != NULL);
        }
        ZSTD_outBuffer out = { s->buf, s->cap, s->len };
        left = ZSTD_compressStream2(s->c, &out, &in, ZSTD_e_flush);
        ASSERT_TRUE(!ZSTD_isError(left));
        s->len = out.pos;
    } while (left != 0 || in.pos < in.size);
    s->n++;
    s->start[s->n] = s->len;
}

/* Feed websocket message i in fragments of `step` bytes. */
static int
feed_msg(struct dbot__zstd *z, const struct server *s, int i, size_t step,
         dbot__zstream_msg_fn fn, void *arg)
{
    size_t a = s->start[i], b = s->start[i + 1];
    int rc = 0;

    if (a == b)
        return dbot__zstd_feed(z, s->buf + a, 0, 1, fn, arg);
    for (size_t off = a; off < b && rc == 0; off += step) {
        size_t n = b - off < step ? b - off : step;
        rc = dbot__zstd_feed(z, s->buf + off, n, off + n == b, fn, arg);
    }
    return rc;
}

/* ---- tests ------------------------------------------------------------ */

static const char *hello = "{\"op\":10,\"d\":{\"heartbeat_interval\":41250}}";
static const char *ready = "{\"op\":0,\"s\":1,\"t\":\"READY\",\"d\":{\"v\":10,"
                           "\"session_id\":\"abc\"}}";
static const char *ack = "{\"op\":11}";

TEST(messages_one_per_websocket_message)
{
    struct dbot__zstd *z = dbot__zstd_new(1 << 20);
    struct server s;
    struct got g = { 0 };

    server_init(&s, 3);
    server_send(&s, hello, strlen(hello));
    server_send(&s, ready, strlen(ready));
    server_send(&s, ack, strlen(ack));
    for (int i = 0; i < 3; i++)
        ASSERT_EQ(feed_msg(z, &s, i, 1 << 20, on_msg, &g), 0);
    ASSERT_EQ(g.n, 3);
    ASSERT_STREQ(g.msg[0], hello);
    ASSERT_STREQ(g.msg[1], ready);
    ASSERT_STREQ(g.msg[2], ack);
    ASSERT_EQ(g.len[1], strlen(ready));
    got_free(&g);
    server_free(&s);
    dbot__zstd_free(z);
}

/* Fragments deliver nothing until the final one, whatever their size. */
TEST(fragments_deliver_at_the_final_one)
{
    struct server s;

    server_init(&s, 19);
    server_send(&s, hello, strlen(hello));
    server_send(&s, ready, strlen(ready));
    for (size_t step = 1; step < 30; step += 4) {
        struct dbot__zstd *z = dbot__zstd_new(1 << 20);
        struct got g = { 0 };
        size_t b = s.start[1];

        for (size_t off = 0; off < b; off += step) {
            size_t n = b - off < step ? b - off : step;
            ASSERT_EQ(g.n, 0);
            ASSERT_EQ(
                dbot__zstd_feed(z, s.buf + off, n, off + n == b, on_msg, &g),
                0);
        }
        ASSERT_EQ(g.n, 1);
        ASSERT_EQ(feed_msg(z, &s, 1, step, on_msg, &g), 0);
        ASSERT_EQ(g.n, 2);
        ASSERT_STREQ(g.msg[0], hello);
        ASSERT_STREQ(g.msg[1], ready);
        got_free(&g);
        dbot__zstd_free(z);
    }
    server_free(&s);
}

/* A 5 MB message (a large GUILD_CREATE) needs the output to grow many
 * times and the decoder to be drained after its input is all consumed. */
TEST(large_message_grows_the_output)
{
    size_t n = 5u << 20;
    char *text = malloc(n + 1);
    struct dbot__zstd *z = dbot__zstd_new((size_t)64 << 20);
    struct server s;
    struct got g = { 0 };

    for (size_t i = 0; i < n; i++)
        text[i] = (char)('a' + (i * 7919 + i / 13) % 26);
    text[n] = '\0';
    server_init(&s, 3);
    server_send(&s, hello, strlen(hello));
    server_send(&s, text, n);
    server_send(&s, ack, strlen(ack));
    for (int i = 0; i < 3; i++)
        ASSERT_EQ(feed_msg(z, &s, i, 16384, on_msg, &g), 0);
    ASSERT_EQ(g.n, 3);
    ASSERT_EQ(g.len[1], n);
    ASSERT_EQ(memcmp(g.msg[1], text, n), 0);
    ASSERT_STREQ(g.msg[2], ack);
    got_free(&g);
    server_free(&s);
    dbot__zstd_free(z);
    free(text);
}

TEST(empty_websocket_message_delivers_nothing)
{
    struct dbot__zstd *z = dbot__zstd_new(1 << 20);
    struct server s;
    struct got g = { 0 };

    server_init(&s, 3);
    server_send(&s, hello, strlen(hello));
    server_send(&s, "", 0);
    server_send(&s, ack, strlen(ack));
    for (int i = 0; i < 3; i++)
        ASSERT_EQ(feed_msg(z, &s, i, 7, on_msg, &g), 0);
    ASSERT_EQ(g.n, 2);
    ASSERT_STREQ(g.msg[0], hello);
    ASSERT_STREQ(g.msg[1], ack);
    got_free(&g);
    server_free(&s);
    dbot__zstd_free(z);
}

TEST(message_over_max_out_is_too_big)
{
    size_t max = 100 * 1024;
    char *big = malloc(max + 1);
    struct dbot__zstd *z = dbot__zstd_new(max);
    struct server s;
    struct got g = { 0 };

    memset(big, 'a', max + 1);
    server_init(&s, 3);
    server_send(&s, hello, strlen(hello));
    server_send(&s, big, max + 1);
    server_send(&s, big, max);
    ASSERT_EQ(feed_msg(z, &s, 0, 1 << 20, on_msg, &g), 0);
    ASSERT_EQ(feed_msg(z, &s, 1, 1 << 20, on_msg, &g), DBOT_ETOOBIG);
    ASSERT_EQ(g.n, 1);
    /* Sticky: the context is unusable. */
    ASSERT_EQ(feed_msg(z, &s, 2, 1 << 20, on_msg, &g), DBOT_ETOOBIG);
    ASSERT_EQ(g.n, 1);
    dbot__zstd_free(z);
    got_free(&g);
    server_free(&s);

    /* Exactly max_out bytes is fine. */
    z = dbot__zstd_new(max);
    server_init(&s, 3);
    server_send(&s, big, max);
    ASSERT_EQ(feed_msg(z, &s, 0, 4096, on_msg, &g), 0);
    ASSERT_EQ(g.n, 1);
    ASSERT_EQ(g.len[0], max);
    got_free(&g);
    server_free(&s);
    dbot__zstd_free(z);
    free(big);
}

TEST(garbage_is_eio_and_fresh_context_works)
{
    static const unsigned char junk[] = "this is not zstd at all";
    struct dbot__zstd *z = dbot__zstd_new(1 << 20);
    struct server s;
    struct got g = { 0 };

    ASSERT_EQ(dbot__zstd_feed(z, junk, sizeof junk - 1, 1, on_msg, &g),
              DBOT_EIO);
    ASSERT_EQ(dbot__zstd_feed(z, junk, 3, 1, on_msg, &g), DBOT_EIO);
    ASSERT_EQ(g.n, 0);
    dbot__zstd_free(z);

    /* A corrupted byte inside a real stream: caught (zstd checks block
     * structure) or at least never delivered as the original text. */
    server_init(&s, 3);
    server_send(&s, ready, strlen(ready));
    s.buf[s.len / 2] ^= 0x55;
    z = dbot__zstd_new(1 << 20);
    int rc = feed_msg(z, &s, 0, 1 << 20, on_msg, &g);
    if (rc == 0 && g.n == 1)
        ASSERT_TRUE(strcmp(g.msg[0], ready) != 0);
    else
        ASSERT_EQ(rc, DBOT_EIO);
    got_free(&g);
    dbot__zstd_free(z);
    server_free(&s);

    /* A new connection gets a new context, which works. */
    z = dbot__zstd_new(1 << 20);
    server_init(&s, 3);
    server_send(&s, hello, strlen(hello));
    ASSERT_EQ(feed_msg(z, &s, 0, 5, on_msg, &g), 0);
    ASSERT_EQ(g.n, 1);
    ASSERT_STREQ(g.msg[0], hello);
    got_free(&g);
    server_free(&s);
    dbot__zstd_free(z);
}

/* A frame that asks for a window beyond the decoder's limit is refused
 * before anything that large is allocated. */
TEST(huge_window_is_refused)
{
    struct dbot__zstd *z = dbot__zstd_new(1 << 20);
    struct server s;
    struct got g = { 0 };

    server_init(&s, 3);
    ASSERT_TRUE(
        !ZSTD_isError(ZSTD_CCtx_setParameter(s.c, ZSTD_c_windowLog, 29)));
    /* Without this the encoder shrinks the window to a known small input. */
    ASSERT_TRUE(
        !ZSTD_isError(ZSTD_CCtx_setParameter(s.c, ZSTD_c_contentSizeFlag, 0)));
    server_send(&s, hello, strlen(hello));
    ASSERT_EQ(feed_msg(z, &s, 0, 1 << 20, on_msg, &g), DBOT_EIO);
    ASSERT_EQ(g.n, 0);
    got_free(&g);
    server_free(&s);
    dbot__zstd_free(z);
}

/* A stream whose frame ends (a server that ended it) and a new frame
 * starts goes on decoding: a frame end is not an error. */
TEST(a_new_frame_after_an_ended_one_decodes)
{
    struct dbot__zstd *z = dbot__zstd_new(1 << 20);
    struct got g = { 0 };
    unsigned char buf[512];
    size_t n1 = ZSTD_compress(buf, sizeof buf, hello, strlen(hello), 3);
    size_t n2;

    ASSERT_TRUE(!ZSTD_isError(n1));
    n2 = ZSTD_compress(buf + n1, sizeof buf - n1, ack, strlen(ack), 3);
    ASSERT_TRUE(!ZSTD_isError(n2));
    ASSERT_EQ(dbot__zstd_feed(z, buf, n1, 1, on_msg, &g), 0);
    ASSERT_EQ(dbot__zstd_feed(z, buf + n1, n2, 1, on_msg, &g), 0);
    ASSERT_EQ(g.n, 2);
    ASSERT_STREQ(g.msg[0], hello);
    ASSERT_STREQ(g.msg[1], ack);
    got_free(&g);
    dbot__zstd_free(z);
}

int
main(void)
{
    RUN(messages_one_per_websocket_message);
    RUN(fragments_deliver_at_the_final_one);
    RUN(large_message_grows_the_output);
    RUN(empty_websocket_message_delivers_nothing);
    RUN(message_over_max_out_is_too_big);
    RUN(garbage_is_eio_and_fresh_context_works);
    RUN(huge_window_is_refused);
    RUN(a_new_frame_after_an_ended_one_decodes);
    return 0;
}
