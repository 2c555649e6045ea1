/*
 * test_zstream.c: the zlib-stream inflater against real zlib deflate output
 * with Z_SYNC_FLUSH after every message, as Discord sends it.
 */
#include "../check.h"
#include "msgrec.h"
#include "zstream.h"

#include <dbot/dbot.h>

#include <zlib.h>

/* ---- a deflating "server" --------------------------------------------- */

struct server {
    z_stream d;
    unsigned char *buf;
    size_t len, cap;
};

static void
server_init(struct server *s, int level)
{
    memset(s, 0, sizeof *s);
    ASSERT_EQ(deflateInit(&s->d, level), Z_OK);
}

static void
server_free(struct server *s)
{
    deflateEnd(&s->d);
    free(s->buf);
}

/* Compress one message and flush it; the bytes are appended to s->buf.
 * Returns the offset where this message's bytes start. */
static size_t
server_send(struct server *s, const void *msg, size_t len)
{
    size_t start = s->len;

    if (len == 0) {
        /* zlib emits nothing for a flush with no new input; write the empty
         * stored block a server could still send (the stream is byte
         * aligned after the previous flush). */
        if (s->cap - s->len < 5) {
            s->cap = s->cap * 2 + 65536;
            s->buf = realloc(s->buf, s->cap);
        }
        memcpy(s->buf + s->len, "\0\0\0\xff\xff", 5);
        s->len += 5;
        return start;
    }
    s->d.next_in = (Bytef *)(uintptr_t)msg;
    s->d.avail_in = (uInt)len;
    do {
        if (s->cap - s->len < 65536) {
            s->cap = s->cap * 2 + 65536;
            s->buf = realloc(s->buf, s->cap);
            ASSERT_TRUE(s->buf != NULL);
        }
        s->d.next_out = s->buf + s->len;
        s->d.avail_out = (uInt)(s->cap - s->len);
        ASSERT_NE(deflate(&s->d, Z_SYNC_FLUSH), Z_STREAM_ERROR);
        s->len = s->cap - s->d.avail_out;
    } while (s->d.avail_out == 0 || s->d.avail_in > 0);
    ASSERT_TRUE(s->len >= start + 4);
    ASSERT_EQ(memcmp(s->buf + s->len - 4, "\0\0\xff\xff", 4), 0);
    return start;
}

/* ---- tests ------------------------------------------------------------ */

static const char *hello = "{\"op\":10,\"d\":{\"heartbeat_interval\":41250}}";
static const char *ready = "{\"op\":0,\"s\":1,\"t\":\"READY\",\"d\":{\"v\":10,"
                           "\"session_id\":\"abc\"}}";
static const char *ack = "{\"op\":11}";

TEST(one_message)
{
    struct dbot__zstream *z = dbot__zstream_new(1 << 20);
    struct server s;
    struct got g = { 0 };

    server_init(&s, Z_DEFAULT_COMPRESSION);
    server_send(&s, hello, strlen(hello));
    ASSERT_EQ(dbot__zstream_feed(z, s.buf, s.len, on_msg, &g), 0);
    ASSERT_EQ(g.n, 1);
    ASSERT_STREQ(g.msg[0], hello);
    ASSERT_EQ(g.len[0], strlen(hello));
    got_free(&g);
    server_free(&s);
    dbot__zstream_free(z);
}

TEST(message_in_one_byte_chunks)
{
    struct dbot__zstream *z = dbot__zstream_new(1 << 20);
    struct server s;
    struct got g = { 0 };
    size_t off1, off2;

    server_init(&s, Z_DEFAULT_COMPRESSION);
    off1 = server_send(&s, hello, strlen(hello));
    off2 = server_send(&s, ready, strlen(ready));
    (void)off1;
    for (size_t i = 0; i < s.len; i++) {
        ASSERT_EQ(dbot__zstream_feed(z, s.buf + i, 1, on_msg, &g), 0);
        /* Nothing is delivered before the message's last byte. */
        if (i + 1 < off2)
            ASSERT_EQ(g.n, 0);
        else if (i + 1 < s.len)
            ASSERT_EQ(g.n, 1);
    }
    ASSERT_EQ(g.n, 2);
    ASSERT_STREQ(g.msg[0], hello);
    ASSERT_STREQ(g.msg[1], ready);
    got_free(&g);
    server_free(&s);
    dbot__zstream_free(z);
}

TEST(several_messages_in_one_chunk)
{
    struct dbot__zstream *z = dbot__zstream_new(1 << 20);
    struct server s;
    struct got g = { 0 };

    server_init(&s, Z_DEFAULT_COMPRESSION);
    server_send(&s, hello, strlen(hello));
    server_send(&s, ready, strlen(ready));
    server_send(&s, ack, strlen(ack));
    ASSERT_EQ(dbot__zstream_feed(z, s.buf, s.len, on_msg, &g), 0);
    ASSERT_EQ(g.n, 3);
    ASSERT_STREQ(g.msg[0], hello);
    ASSERT_STREQ(g.msg[1], ready);
    ASSERT_STREQ(g.msg[2], ack);
    got_free(&g);
    server_free(&s);
    dbot__zstream_free(z);
}

TEST(messages_across_odd_chunk_boundaries)
{
    struct server s;

    server_init(&s, Z_DEFAULT_COMPRESSION);
    server_send(&s, hello, strlen(hello));
    server_send(&s, ready, strlen(ready));
    server_send(&s, ack, strlen(ack));
    server_send(&s, ready, strlen(ready));
    for (size_t step = 2; step < 40; step += 5) {
        struct dbot__zstream *z = dbot__zstream_new(1 << 20);
        struct got g = { 0 };
        for (size_t i = 0; i < s.len; i += step) {
            size_t n = s.len - i < step ? s.len - i : step;
            ASSERT_EQ(dbot__zstream_feed(z, s.buf + i, n, on_msg, &g), 0);
        }
        ASSERT_EQ(g.n, 4);
        ASSERT_STREQ(g.msg[0], hello);
        ASSERT_STREQ(g.msg[1], ready);
        ASSERT_STREQ(g.msg[2], ack);
        ASSERT_STREQ(g.msg[3], ready);
        got_free(&g);
        dbot__zstream_free(z);
    }
    server_free(&s);
}

/* With level 0 the message travels in a stored block, so its own last bytes
 * can be 00 00 ff ff. A buffer that ends there is not a message boundary:
 * the partial output must be kept, not delivered. */
TEST(marker_inside_data_is_not_a_boundary)
{
    static const char msg[] = "{\"x\":\"a\"}\0\0\xff\xff";
    struct dbot__zstream *z = dbot__zstream_new(1 << 20);
    struct server s;
    struct got g = { 0 };
    size_t cut;

    server_init(&s, 0);
    server_send(&s, msg, sizeof msg - 1);
    /* Stored block: 2 zlib header bytes, 5 block header bytes, then the
     * data; cut right after the data's own 00 00 ff ff. */
    ASSERT_EQ(memcmp(s.buf + 7, msg, sizeof msg - 1), 0);
    cut = 7 + sizeof msg - 1;
    ASSERT_EQ(memcmp(s.buf + cut - 4, "\0\0\xff\xff", 4), 0);
    ASSERT_EQ(dbot__zstream_feed(z, s.buf, cut, on_msg, &g), 0);
    ASSERT_EQ(g.n, 0);
    ASSERT_EQ(dbot__zstream_feed(z, s.buf + cut, s.len - cut, on_msg, &g), 0);
    ASSERT_EQ(g.n, 1);
    ASSERT_EQ(g.len[0], sizeof msg - 1);
    ASSERT_EQ(memcmp(g.msg[0], msg, sizeof msg - 1), 0);

    /* The same stream in one piece gives the same single message. */
    got_free(&g);
    dbot__zstream_free(z);
    z = dbot__zstream_new(1 << 20);
    ASSERT_EQ(dbot__zstream_feed(z, s.buf, s.len, on_msg, &g), 0);
    ASSERT_EQ(g.n, 1);
    ASSERT_EQ(g.len[0], sizeof msg - 1);
    got_free(&g);
    server_free(&s);
    dbot__zstream_free(z);
}

/* A long level-0 message spans several stored blocks; when one of them ends
 * in 00 00 ff ff the block boundary is still inside the message. */
TEST(stored_block_ending_in_marker_mid_message)
{
    size_t n = 200000;
    unsigned char *msg = malloc(n);
    struct dbot__zstream *z = dbot__zstream_new(1 << 20);
    struct server s;
    struct got g = { 0 };
    int phase_hits = 0;

    for (size_t i = 0; i < n; i++)
        msg[i] = "\0\0\xff\xff"[(i + 1) % 4];
    server_init(&s, 0);
    server_send(&s, msg, n);
    /* Check the premise: some stored block (after the first) starts right
     * after a 00 00 ff ff that belongs to the data. */
    for (size_t pos = 2; pos + 5 <= s.len;) {
        size_t len = (size_t)s.buf[pos + 1] | (size_t)s.buf[pos + 2] << 8;
        if (pos > 2 && memcmp(s.buf + pos - 4, "\0\0\xff\xff", 4) == 0 &&
            len > 0)
            phase_hits++;
        pos += 5 + len;
    }
    ASSERT_GE(phase_hits, 1);
    ASSERT_EQ(dbot__zstream_feed(z, s.buf, s.len, on_msg, &g), 0);
    ASSERT_EQ(g.n, 1);
    ASSERT_EQ(g.len[0], n);
    ASSERT_EQ(memcmp(g.msg[0], msg, n), 0);
    got_free(&g);
    server_free(&s);
    dbot__zstream_free(z);
    free(msg);
}

TEST(empty_flush_delivers_nothing)
{
    struct dbot__zstream *z = dbot__zstream_new(1 << 20);
    struct server s;
    struct got g = { 0 };

    server_init(&s, Z_DEFAULT_COMPRESSION);
    server_send(&s, hello, strlen(hello));
    server_send(&s, "", 0);
    server_send(&s, ack, strlen(ack));
    ASSERT_EQ(dbot__zstream_feed(z, s.buf, s.len, on_msg, &g), 0);
    ASSERT_EQ(g.n, 2);
    ASSERT_STREQ(g.msg[0], hello);
    ASSERT_STREQ(g.msg[1], ack);
    got_free(&g);
    server_free(&s);
    dbot__zstream_free(z);
}

TEST(message_over_max_out_is_too_big)
{
    size_t max = 100 * 1024;
    char *big = malloc(max + 1);
    struct dbot__zstream *z = dbot__zstream_new(max);
    struct server s;
    struct got g = { 0 };

    memset(big, 'a', max + 1);
    server_init(&s, Z_DEFAULT_COMPRESSION);
    server_send(&s, hello, strlen(hello));
    server_send(&s, big, max + 1);
    ASSERT_EQ(dbot__zstream_feed(z, s.buf, s.len, on_msg, &g), DBOT_ETOOBIG);
    ASSERT_EQ(g.n, 1); /* the message before it was delivered */
    /* The context stays unusable. */
    ASSERT_EQ(dbot__zstream_feed(z, s.buf, 4, on_msg, &g), DBOT_ETOOBIG);
    dbot__zstream_free(z);
    got_free(&g);
    server_free(&s);

    /* Exactly max_out bytes is fine. */
    z = dbot__zstream_new(max);
    server_init(&s, Z_DEFAULT_COMPRESSION);
    server_send(&s, big, max);
    ASSERT_EQ(dbot__zstream_feed(z, s.buf, s.len, on_msg, &g), 0);
    ASSERT_EQ(g.n, 1);
    ASSERT_EQ(g.len[0], max);
    got_free(&g);
    server_free(&s);
    dbot__zstream_free(z);
    free(big);
}

TEST(garbage_is_eio_and_fresh_context_works)
{
    static const unsigned char junk[] = "this is not zlib at all\0\0\xff\xff";
    struct dbot__zstream *z = dbot__zstream_new(1 << 20);
    struct server s;
    struct got g = { 0 };

    ASSERT_EQ(dbot__zstream_feed(z, junk, sizeof junk - 1, on_msg, &g),
              DBOT_EIO);
    ASSERT_EQ(g.n, 0);
    ASSERT_EQ(dbot__zstream_feed(z, junk, 3, on_msg, &g), DBOT_EIO);
    dbot__zstream_free(z);

    /* A corrupted byte in the middle of a real stream. */
    server_init(&s, Z_DEFAULT_COMPRESSION);
    server_send(&s, ready, strlen(ready));
    s.buf[s.len / 2] ^= 0x55;
    z = dbot__zstream_new(1 << 20);
    int rc = dbot__zstream_feed(z, s.buf, s.len, on_msg, &g);
    /* Corruption is caught as a data error, or inflates to something else;
     * it is never delivered as the original text. */
    if (rc == 0 && g.n == 1)
        ASSERT_TRUE(strcmp(g.msg[0], ready) != 0);
    else
        ASSERT_EQ(rc, DBOT_EIO);
    got_free(&g);
    dbot__zstream_free(z);
    server_free(&s);

    /* A new connection gets a new context, which works. */
    z = dbot__zstream_new(1 << 20);
    server_init(&s, Z_DEFAULT_COMPRESSION);
    server_send(&s, hello, strlen(hello));
    ASSERT_EQ(dbot__zstream_feed(z, s.buf, s.len, on_msg, &g), 0);
    ASSERT_EQ(g.n, 1);
    ASSERT_STREQ(g.msg[0], hello);
    got_free(&g);
    server_free(&s);
    dbot__zstream_free(z);
}

/* Reusing the old context for a new connection's stream is the eris bug:
 * the new stream's zlib header is garbage to the old state. */
TEST(old_context_on_new_stream_fails)
{
    struct dbot__zstream *z = dbot__zstream_new(1 << 20);
    struct server a, b;
    struct got g = { 0 };

    server_init(&a, Z_DEFAULT_COMPRESSION);
    server_init(&b, Z_DEFAULT_COMPRESSION);
    server_send(&a, hello, strlen(hello));
    server_send(&b, hello, strlen(hello));
    ASSERT_EQ(dbot__zstream_feed(z, a.buf, a.len, on_msg, &g), 0);
    ASSERT_EQ(dbot__zstream_feed(z, b.buf, b.len, on_msg, &g), DBOT_EIO);
    ASSERT_EQ(g.n, 1);
    got_free(&g);
    server_free(&a);
    server_free(&b);
    dbot__zstream_free(z);
}

TEST(backlog_without_suffix_is_bounded)
{
    size_t max = 64 * 1024;
    struct dbot__zstream *z = dbot__zstream_new(max);
    unsigned char chunk[4096];
    struct got g = { 0 };
    int rc = 0;
    size_t fed = 0;

    memset(chunk, 0x5a, sizeof chunk);
    while (rc == 0 && fed < 4 * max) {
        rc = dbot__zstream_feed(z, chunk, sizeof chunk, on_msg, &g);
        fed += sizeof chunk;
    }
    ASSERT_EQ(rc, DBOT_ETOOBIG);
    ASSERT_LE(fed, 2 * max);
    ASSERT_EQ(g.n, 0);
    dbot__zstream_free(z);
}

/* A GUILD_CREATE of several MB, fed in websocket-sized frames. */
TEST(five_megabyte_guild_create)
{
    size_t cap = 6 * 1024 * 1024, n = 0;
    char *text = malloc(cap);
    struct dbot__zstream *z = dbot__zstream_new((size_t)64 << 20);
    struct server s;
    struct got g = { 0 };
    unsigned seed = 12345;

    n += (size_t)snprintf(text, cap,
                          "{\"op\":0,\"s\":2,\"t\":\"GUILD_CREATE\","
                          "\"d\":{\"id\":\"41771983444115456\",\"members\":[");
    for (int i = 0; n < 5 * 1024 * 1024; i++) {
        seed = seed * 1103515245u + 12345u;
        n += (size_t)snprintf(text + n, cap - n,
                              "%s{\"user\":{\"id\":\"%u%u\",\"username\":"
                              "\"user%u\"},\"roles\":[\"%u\"],\"joined_at\":"
                              "\"2024-01-01T00:00:00.000000+00:00\"}",
                              i ? "," : "", seed, seed >> 3, seed % 100000,
                              seed >> 7);
    }
    n += (size_t)snprintf(text + n, cap - n, "]}}");
    server_init(&s, Z_DEFAULT_COMPRESSION);
    server_send(&s, hello, strlen(hello));
    server_send(&s, text, n);
    server_send(&s, ack, strlen(ack));
    for (size_t i = 0; i < s.len; i += 16384) {
        size_t k = s.len - i < 16384 ? s.len - i : 16384;
        ASSERT_EQ(dbot__zstream_feed(z, s.buf + i, k, on_msg, &g), 0);
    }
    ASSERT_EQ(g.n, 3);
    ASSERT_EQ(g.len[1], n);
    ASSERT_EQ(memcmp(g.msg[1], text, n), 0);
    ASSERT_STREQ(g.msg[2], ack);
    got_free(&g);

    /* The same bytes in a single feed. */
    dbot__zstream_free(z);
    z = dbot__zstream_new((size_t)64 << 20);
    ASSERT_EQ(dbot__zstream_feed(z, s.buf, s.len, on_msg, &g), 0);
    ASSERT_EQ(g.n, 3);
    ASSERT_EQ(g.len[1], n);
    got_free(&g);
    server_free(&s);
    dbot__zstream_free(z);
    free(text);
}

/* The zlib header is checked before the raw inflate takes over: a stream
 * that is not zlib, or asks for a preset dictionary, is refused. */
TEST(bad_zlib_header_is_eio)
{
    static const unsigned char not_deflate[] = "\x79\x9c\0\0\xff\xff";
    static const unsigned char bad_check[] = "\x78\x9d\0\0\xff\xff";
    static const unsigned char dict[] = "\x78\xbb\0\0\0\0\0\0\xff\xff";
    const unsigned char *bad[] = { not_deflate, bad_check, dict };
    size_t len[] = { sizeof not_deflate - 1, sizeof bad_check - 1,
                     sizeof dict - 1 };

    ASSERT_EQ((0x78u << 8 | 0xbb) % 31, 0); /* dict: valid check bits */
    for (int i = 0; i < 3; i++) {
        struct dbot__zstream *z = dbot__zstream_new(1 << 20);
        struct got g = { 0 };

        ASSERT_EQ(dbot__zstream_feed(z, bad[i], len[i], on_msg, &g), DBOT_EIO);
        ASSERT_EQ(g.n, 0);
        dbot__zstream_free(z);
    }
}

/* The header may arrive split from the rest: the first frame holding one
 * byte only cannot end with the marker, so it is buffered; the check runs
 * when the buffer is inflated. */
TEST(header_split_across_frames)
{
    struct dbot__zstream *z = dbot__zstream_new(1 << 20);
    struct server s;
    struct got g = { 0 };

    server_init(&s, Z_DEFAULT_COMPRESSION);
    server_send(&s, hello, strlen(hello));
    ASSERT_EQ(dbot__zstream_feed(z, s.buf, 1, on_msg, &g), 0);
    ASSERT_EQ(dbot__zstream_feed(z, s.buf + 1, s.len - 1, on_msg, &g), 0);
    ASSERT_EQ(g.n, 1);
    ASSERT_STREQ(g.msg[0], hello);
    got_free(&g);
    server_free(&s);
    dbot__zstream_free(z);
}

/* A server that ends the stream (Discord never does) may send the adler32
 * trailer, which is not verified; anything past it is an error. The end
 * here is a final empty stored block (01 00 00 ff ff), which ends with the
 * flush marker, so it is inflated as soon as it arrives. */
TEST(ended_stream_allows_only_its_trailer)
{
    struct dbot__zstream *z = dbot__zstream_new(1 << 20);
    struct server s;
    struct got g = { 0 };

    server_init(&s, Z_DEFAULT_COMPRESSION);
    server_send(&s, hello, strlen(hello));
    ASSERT_EQ(dbot__zstream_feed(z, s.buf, s.len, on_msg, &g), 0);
    ASSERT_EQ(dbot__zstream_feed(z, "\x01\0\0\xff\xff", 5, on_msg, &g), 0);
    ASSERT_EQ(g.n, 1);
    ASSERT_STREQ(g.msg[0], hello);
    /* Four bytes of trailer pass (whatever they are); a fifth does not. */
    ASSERT_EQ(dbot__zstream_feed(z, "\0\0\xff\xff", 4, on_msg, &g), 0);
    ASSERT_EQ(dbot__zstream_feed(z, "\0\0\xff\xff", 4, on_msg, &g), DBOT_EIO);
    ASSERT_EQ(g.n, 1);
    got_free(&g);
    server_free(&s);
    dbot__zstream_free(z);
}

int
main(void)
{
    RUN(one_message);
    RUN(message_in_one_byte_chunks);
    RUN(several_messages_in_one_chunk);
    RUN(messages_across_odd_chunk_boundaries);
    RUN(marker_inside_data_is_not_a_boundary);
    RUN(stored_block_ending_in_marker_mid_message);
    RUN(empty_flush_delivers_nothing);
    RUN(message_over_max_out_is_too_big);
    RUN(garbage_is_eio_and_fresh_context_works);
    RUN(old_context_on_new_stream_fails);
    RUN(backlog_without_suffix_is_bounded);
    RUN(five_megabyte_guild_create);
    RUN(bad_zlib_header_is_eio);
    RUN(header_split_across_frames);
    RUN(ended_stream_allows_only_its_trailer);
    return 0;
}
