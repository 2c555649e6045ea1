/*
 * torture_codec.c: the gateway codec with each allocation failing in
 * turn: zlib-stream frames inflated and parsed (dbot__zstream_*,
 * dbot__gw_parse), and the payloads dbot sends built (heartbeat, Identify,
 * Resume, commands). A failing run must end in DBOT_ENOMEM (or DBOT_EJSON:
 * cJSON reports its own allocation failing as a parse error) with nothing
 * leaked; a run that succeeds must give exactly the good run's result.
 */
#include "../check.h"
#include "gateway_codec.h"
#include "torture.h"
#include "zstream.h"

#include <dbot/dbot.h>

#include <stdint.h>
#include <zlib.h>

/* ---- decoding ----------------------------------------------------------- */

/* The compressed stream, made once before any run, and where it is cut
 * into websocket fragments (mid-message, as Discord may). */
static unsigned char *zbuf;
static size_t zlen, cuts[4];

static void
deflate_msg(z_stream *d, const char *msg, size_t *cap)
{
    d->next_in = (Bytef *)(uintptr_t)msg;
    d->avail_in = (uInt)strlen(msg);
    do {
        if (*cap - zlen < 65536) {
            *cap = *cap * 2 + 65536;
            zbuf = realloc(zbuf, *cap);
            ASSERT_TRUE(zbuf != NULL);
        }
        d->next_out = zbuf + zlen;
        d->avail_out = (uInt)(*cap - zlen);
        ASSERT_NE(deflate(d, Z_SYNC_FLUSH), Z_STREAM_ERROR);
        zlen = *cap - d->avail_out;
    } while (d->avail_out == 0 || d->avail_in > 0);
}

static void
make_stream(void)
{
    static char big[200000];
    z_stream d;
    size_t cap = 0, n;

    memset(&d, 0, sizeof d);
    ASSERT_EQ(deflateInit(&d, 6), Z_OK);
    deflate_msg(&d, "{\"op\":10,\"d\":{\"heartbeat_interval\":41250}}", &cap);
    cuts[0] = zlen / 2;
    deflate_msg(&d,
                "{\"op\":0,\"s\":1,\"t\":\"READY\",\"d\":{\"session_id\":"
                "\"abc\",\"resume_gateway_url\":\"wss://r.example\"}}",
                &cap);
    /* A GUILD_CREATE-sized message (the inflate buffer must grow several
     * times) with few JSON items, so the runs stay few. */
    n = (size_t)snprintf(big, sizeof big,
                         "{\"op\":0,\"s\":2,\"t\":\"GUILD_CREATE\",\"d\":{"
                         "\"members\":[{\"user\":{\"id\":\"1\"}}],"
                         "\"description\":\"");
    while (n < sizeof big - 100)
        big[n] = (char)('a' + n % 26), n++;
    snprintf(big + n, sizeof big - n, "\"}}");
    cuts[1] = zlen + 3;
    deflate_msg(&d, big, &cap);
    cuts[2] = zlen - 2; /* the sync marker split across fragments */
    deflate_msg(&d, "{\"op\":11}", &cap);
    cuts[3] = zlen;
    deflateEnd(&d);
}

struct decoded {
    char summary[512];
    int rc; /* first parse failure */
};

static void
on_msg(const char *out, size_t len, void *arg)
{
    struct decoded *r = arg;
    struct dbot__gw_msg m;
    char err[128];
    size_t have = strlen(r->summary);
    int rc = dbot__gw_parse(out, len, &m, err, sizeof err);

    if (rc < 0) {
        if (!r->rc)
            r->rc = rc;
        return;
    }
    snprintf(r->summary + have, sizeof r->summary - have, "%d/%s/%lld/%d;",
             m.op, m.t ? m.t : "-", (long long)m.s,
             cJSON_GetArraySize(cJSON_GetObjectItem(m.d, "members")));
    cJSON_Delete(m.root);
}

static char good_decoded[512];

static int
decode(void *arg)
{
    struct decoded r = { .summary = "", .rc = 0 };
    struct dbot__zstream *z = dbot__zstream_new(1 << 20);
    size_t at = 0;
    int rc = 0;

    (void)arg;
    if (!z)
        return DBOT_ENOMEM;
    for (int i = 0; i < 4 && rc == 0; i++) {
        rc = dbot__zstream_feed(z, zbuf + at, cuts[i] - at, on_msg, &r);
        at = cuts[i];
    }
    dbot__zstream_free(z);
    if (rc < 0)
        return rc;
    if (r.rc < 0)
        return r.rc;
    if (!good_decoded[0])
        snprintf(good_decoded, sizeof good_decoded, "%s", r.summary);
    if (strcmp(good_decoded, r.summary) != 0) {
        fprintf(stderr, "decode: got  %s\ndecode: want %s\n", r.summary,
                good_decoded);
        return 1;
    }
    return TORTURE_OK;
}

/* ---- encoding ----------------------------------------------------------- */

static char good_encoded[4096];
static char *good_identify_bare; /* the Identify without its presence */

static int
encode(void *arg)
{
    struct dbot__identify id = {
        .token = "Tok.en",
        .intents = 513,
        .shard_id = 1,
        .shard_count = 2,
        .large_threshold = 100,
        .presence_json = "{\"status\":\"idle\",\"activities\":[{\"name\":"
                         "\"chess\",\"type\":0}],\"since\":null,"
                         "\"afk\":false}",
    };
    cJSON *d = arg;
    char *p[4], all[4096];
    int rc = TORTURE_OK, left_out = 0;

    id.presence_left_out = &left_out;
    p[0] = dbot__gw_heartbeat(41);
    p[1] = dbot__gw_identify(&id);
    p[2] = dbot__gw_resume("Tok.en", "session", 41);
    p[3] = dbot__gw_command(8, d);
    /* Leaving the presence out is the documented answer to its parse
     * failing (the caller then sends it after READY): the rest must be
     * the good Identify, and the caller must be told. */
    if (p[1] && good_identify_bare && !strcmp(p[1], good_identify_bare)) {
        rc = left_out ? DBOT_ENOMEM : 1;
        if (!left_out)
            fprintf(stderr, "encode: presence left out silently\n");
    }
    all[0] = '\0';
    for (int i = 0; i < 4; i++) {
        if (!p[i] && rc == TORTURE_OK)
            rc = DBOT_ENOMEM;
        else if (p[i])
            snprintf(all + strlen(all), sizeof all - strlen(all), "%s\n", p[i]);
        free(p[i]);
    }
    if (rc != TORTURE_OK)
        return rc;
    if (!good_encoded[0])
        snprintf(good_encoded, sizeof good_encoded, "%s", all);
    if (strcmp(good_encoded, all) != 0) {
        fprintf(stderr, "encode: got  %s\nencode: want %s\n", all,
                good_encoded);
        return 1;
    }
    return TORTURE_OK;
}

/* ---- tests ----------------------------------------------------------------
 */

TEST(zlib_stream_decode_fails_cleanly_at_every_allocation)
{
    static const int errors[] = { DBOT_ENOMEM, DBOT_EJSON, 0 };

    make_stream();
    ASSERT_TRUE(torture_run("decode", decode, NULL, errors) > 4);
    ASSERT_TRUE(strstr(good_decoded, "0/GUILD_CREATE/2/") != NULL);
    free(zbuf);
}

TEST(payload_builders_fail_cleanly_at_every_allocation)
{
    static const int errors[] = { DBOT_ENOMEM, 0 };
    cJSON *d = cJSON_Parse("{\"guild_id\":\"1\",\"query\":\"\",\"limit\":0}");

    struct dbot__identify bare = { .token = "Tok.en",
                                   .intents = 513,
                                   .shard_id = 1,
                                   .shard_count = 2,
                                   .large_threshold = 100 };

    ASSERT_TRUE(d != NULL);
    good_identify_bare = dbot__gw_identify(&bare);
    ASSERT_TRUE(good_identify_bare != NULL);
    ASSERT_TRUE(torture_run("encode", encode, d, errors) > 4);
    free(good_identify_bare);
    cJSON_Delete(d);
}

int
main(void)
{
    torture_init();
    RUN(zlib_stream_decode_fails_cleanly_at_every_allocation);
    RUN(payload_builders_fail_cleanly_at_every_allocation);
    return 0;
}
