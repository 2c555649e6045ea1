/*
 * test_gateway_zstd.c: "compress": "zstd-stream" against the fake Discord:
 * the query asks for it, fragments and back-to-back messages decode, a
 * reconnect gets a fresh context and resumes, and a corrupt stream, an
 * oversized message, malformed JSON and a garbled event get the same
 * handling as with zlib-stream.
 */
#include "harness.h"

#include "bot.h"
#include "gateway.h"

#include <cjson/cJSON.h>

static struct harness H;

#define ZSTD_CFG ",\"compress\":\"zstd-stream\""

static void
wait_ready(struct harness *h)
{
    WAIT_UNTIL(h_count(h, "READY") >= 1, 10000);
    WAIT_UNTIL(h_count(h, "GUILD_CREATE") >= 1, 10000);
}

TEST(zstd_stream_events_fragments_and_batches)
{
    h_start(&H, NULL, ZSTD_CFG);
    wait_ready(&H);
    ASSERT_EQ(h_stats(&H).zstd, 1);
    ASSERT_EQ(h_stats(&H).compressed, 0);
    h_push_numbered(&H, "TEST_EVENT", 0, 5);
    /* One websocket message in three fragments. */
    fakecord_set_split(H.fc, 3, 1);
    h_push_numbered(&H, "TEST_EVENT", 5, 10);
    fakecord_set_split(H.fc, 0, 0);
    WAIT_UNTIL(h_count(&H, "TEST_EVENT") >= 10, 10000);
    h_assert_sequence(&H, "TEST_EVENT", 10);
    /* Back-to-back websocket messages, one dispatch each. */
    ASSERT_GE(fakecord_send_batch(H.fc, NULL, NULL, 25), 0);
    WAIT_UNTIL(h_count(&H, "FAKECORD_BATCH") >= 25, 10000);
    h_assert_sequence(&H, "FAKECORD_BATCH", 25);
    ASSERT_EQ(h_stats(&H).connections, 1);
    ASSERT_EQ(h_stats(&H).violations, 0);
    h_teardown(&H);
}

/* A new connection needs a new zstd context: the old one would not
 * understand the new stream's frame. */
TEST(reconnect_gets_a_fresh_context_and_resumes)
{
    h_start(&H, NULL, ZSTD_CFG);
    wait_ready(&H);
    h_push_numbered(&H, "TEST_EVENT", 0, 3);
    WAIT_UNTIL(h_count(&H, "TEST_EVENT") >= 3, 10000);
    ASSERT_GE(fakecord_send_reconnect(H.fc), 0);
    WAIT_UNTIL(h_stats(&H).resumes_ok == 1, 10000);
    h_push_numbered(&H, "TEST_EVENT", 3, 6);
    WAIT_UNTIL(h_count(&H, "TEST_EVENT") >= 6, 10000);
    h_assert_sequence(&H, "TEST_EVENT", 6);
    ASSERT_EQ(h_stats(&H).zstd, 1);
    ASSERT_EQ(h_stats(&H).identifies, 1);
    ASSERT_EQ(h_stats(&H).violations, 0);
    h_teardown(&H);
}

/* Bytes that are not zstd: the stream is unusable, so the connection is
 * closed resumably and the new one resumes without losing an event. */
TEST(corrupt_stream_reconnects_and_resumes)
{
    static const char junk[] = "\x28\xb5\x2f\xfd this is not a zstd block";

    h_log_reset();
    h_start(&H, NULL, ZSTD_CFG);
    wait_ready(&H);
    h_push_numbered(&H, "TEST_EVENT", 0, 2);
    WAIT_UNTIL(h_count(&H, "TEST_EVENT") >= 2, 10000);
    ASSERT_GE(fakecord_send_wire(H.fc, junk, sizeof junk - 1), 0);
    WAIT_UNTIL(h_stats(&H).resumes_ok == 1, 10000);
    ASSERT_TRUE(h_log_has("zstd-stream"));
    ASSERT_TRUE(h_log_has("reconnecting"));
    h_push_numbered(&H, "TEST_EVENT", 2, 4);
    WAIT_UNTIL(h_count(&H, "TEST_EVENT") >= 4, 10000);
    h_assert_sequence(&H, "TEST_EVENT", 4);
    ASSERT_EQ(h_stats(&H).identifies, 1);
    ASSERT_GE(h_stats(&H).client_close_code, 4000);
    h_teardown(&H);
}

/* A message over max_message_bytes is refused like with zlib-stream: the
 * connection goes (resumably) instead of the memory. */
TEST(oversized_message_closes_the_connection)
{
    size_t n = 70 * 1024;
    char *d = malloc(n + 32);

    h_log_reset();
    h_start(&H, NULL, ZSTD_CFG ",\"max_message_bytes\":65536");
    wait_ready(&H);
    static const char head[] = "{\"i\":0,\"pad\":\"";
    memcpy(d, head, sizeof head - 1);
    memset(d + sizeof head - 1, 'x', n);
    memcpy(d + sizeof head - 1 + n, "\"}", 3);
    ASSERT_GE(fakecord_push_event(H.fc, "BIG_EVENT", d), 0);
    WAIT_UNTIL(h_stats(&H).connections >= 2, 10000);
    ASSERT_TRUE(h_log_has("zstd-stream"));
    ASSERT_EQ(h_count(&H, "BIG_EVENT"), 0);
    free(d);
    h_teardown(&H);
}

TEST(malformed_json_is_logged_and_connection_goes_on)
{
    static const char bad[] = "{\"op\":0,\"t\":\"MESSAGE_CREATE\",\"s\":";

    h_log_reset();
    h_start(&H, NULL, ZSTD_CFG);
    wait_ready(&H);
    ASSERT_GE(fakecord_send_raw(H.fc, bad, sizeof bad - 1), 0);
    h_push_numbered(&H, "TEST_EVENT", 0, 3);
    WAIT_UNTIL(h_count(&H, "TEST_EVENT") >= 3, 10000);
    h_assert_sequence(&H, "TEST_EVENT", 3);
    ASSERT_TRUE(h_log_has("malformed gateway message"));
    ASSERT_EQ(h_stats(&H).connections, 1);
    h_teardown(&H);
}

/* A dispatch that arrives cut in half (valid zstd, broken JSON) is
 * skipped, the gap it leaves is seen at the next one, and a resume
 * replays it: no sequence number is lost. */
TEST(garbled_event_is_replayed_by_a_resume)
{
    h_log_reset();
    h_start(&H, NULL, ZSTD_CFG);
    wait_ready(&H);
    h_push_numbered(&H, "TEST_EVENT", 0, 3);
    ASSERT_GE(fakecord_push_event_garbled(H.fc, "TEST_EVENT", "{\"i\":3}"), 0);
    h_push_numbered(&H, "TEST_EVENT", 4, 6);
    WAIT_UNTIL(h_count(&H, "TEST_EVENT") >= 6, 10000);
    h_assert_sequence(&H, "TEST_EVENT", 6);
    ASSERT_TRUE(h_log_has("malformed gateway message"));
    ASSERT_EQ(h_stats(&H).resumes_ok, 1);
    ASSERT_EQ(h_stats(&H).identifies, 1);
    h_teardown(&H);
}

int
main(void)
{
    RUN(zstd_stream_events_fragments_and_batches);
    RUN(reconnect_gets_a_fresh_context_and_resumes);
    RUN(corrupt_stream_reconnects_and_resumes);
    RUN(oversized_message_closes_the_connection);
    RUN(malformed_json_is_logged_and_connection_goes_on);
    RUN(garbled_event_is_replayed_by_a_resume);
    return 0;
}
