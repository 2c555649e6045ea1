/*
 * test_shards.c: a bot left at "shards": 0 (the default) follows Discord's
 * recommendation, at the counts Discord really recommends. Run as
 * `itest_shards N` for N = 1, 2, 16, 64.
 *
 * The bot starts one shard, learns N from GET /gateway/bot and grows its
 * shard set; everything that reads the set afterwards (the service tick's
 * STATUS=, /healthz, /metrics, the session file at stop) must see all N
 * shards through the set's owner, never through a copy of the array taken
 * before it grew (the crash this file was written for: a stale pointer
 * read on the first service tick after the growth, every time for N >= 4).
 * The run then lives through several ticks with a shard dropping and
 * resuming, stops, and a restart with "shards": 0 resumes all N sessions
 * from the file instead of identifying them again.
 */
#include "harness.h"
#include "service_probe.h"

#include <stdlib.h>
#include <unistd.h>

static struct harness H;

/* Discord gives bots this large several identify buckets; 16 keeps the
 * 64-shard run to four 5 s rounds while still pacing them. */
static int
concurrency_for(int n)
{
    return n >= 16 ? 16 : 1;
}

/* /healthz answers 200 and lists `n` shards, all READY. */
static int
healthz_all_ready(int port, int n)
{
    char *body, last[32], past[32];
    int st = http_get(port, "/healthz", &body), ok;

    snprintf(last, sizeof last, "{\"shard\":%d,", n - 1);
    snprintf(past, sizeof past, "{\"shard\":%d,", n);
    ok = st == 200 && strstr(body, last) && !strstr(body, past);
    free(body);
    return ok;
}

static void
expect_all_shards_seen(int port, int n)
{
    char *body, want[64];

    ASSERT_TRUE(healthz_all_ready(port, n));
    ASSERT_EQ(http_get(port, "/metrics", &body), 200);
    /* One latency series per shard: the last shard is there. */
    snprintf(want, sizeof want, "shard=\"%d\"", n - 1);
    ASSERT_CONTAINS(body, want);
    free(body);
}

static void
run(int n)
{
    struct fakecord_opts o = { .shards = n,
                               .guilds = n,
                               .max_concurrency = concurrency_for(n),
                               .enforce_identify_rate = 1 };
    char tmpdir[64], state_path[128], extra[512], env[80], want[96];
    int port = free_port(), fd, i, identifies;
    long long ready_ms = 15000 + 6000LL * (n / concurrency_for(n));

    snprintf(tmpdir, sizeof tmpdir, "/tmp/dbot-itest-shards-XXXXXX");
    ASSERT_TRUE(mkdtemp(tmpdir) != NULL);
    snprintf(state_path, sizeof state_path, "%s/session.json", tmpdir);
    fd = notify_bind(env, sizeof env);
    setenv("NOTIFY_SOCKET", env, 1);
    snprintf(extra, sizeof extra,
             ",\"state_file\":\"%s\",\"http_listen\":\"127.0.0.1:%d\"",
             state_path, port);

    /* No gateway_url: the bot asks GET /gateway/bot, as with Discord. */
    memset(&H, 0, sizeof H);
    pthread_mutex_init(&H.mu, NULL);
    dbot_log_set_sink(h_log_sink, NULL);
    h_start_fake(&H, &o);
    h_new_bot_at(&H, 0, extra);
    h_run_bot(&H);
    snprintf(want, sizeof want, "READY=1\nSTATUS=%d/%d shards ready", n, n);
    notify_until_ms(fd, want, ready_ms);
    ASSERT_EQ(h_count(&H, "READY"), n);
    if (n > 1) {
        snprintf(want, sizeof want, "Discord recommends %d shards", n);
        ASSERT_TRUE(h_log_has(want));
    }
    expect_all_shards_seen(port, n);

    /* Ticks with a changing set of states: the last shard drops and is
     * held in its handshake until STATUS= has said so, then resumes, and
     * STATUS= follows it back. */
    h_log_reset();
    ASSERT_EQ(fakecord_hold_hello(H.fc, 1), 0);
    ASSERT_EQ(fakecord_drop_shard(H.fc, n - 1), 0);
    snprintf(want, sizeof want, "STATUS=%d/%d shards ready", n - 1, n);
    notify_until(fd, want);
    ASSERT_EQ(fakecord_hold_hello(H.fc, 0), 0);
    WAIT_UNTIL(h_stats(&H).resumes_ok >= 1, 10000);
    snprintf(want, sizeof want, "STATUS=%d/%d shards ready", n, n);
    notify_until(fd, want);
    expect_all_shards_seen(port, n);

    ASSERT_EQ(h_finish(&H, 1), 0);
    identifies = h_stats(&H).identifies;
    ASSERT_GE(identifies, n);
    snprintf(want, sizeof want, "saved %d shard sessions", n);
    ASSERT_TRUE(h_log_has(want));

    /* Restart, still "shards": 0: every saved session resumes, no shard
     * identifies again (Discord's daily identify budget is for real
     * restarts, not for a deploy). */
    for (i = 0; i < n; i++)
        ASSERT_GE(fakecord_push_event_shard(H.fc, i, "TEST_EVENT", "{}"), 0);
    h_new_bot_at(&H, 0, extra);
    h_run_bot(&H);
    WAIT_UNTIL(h_count(&H, "RESUMED") >= n + 1, ready_ms);
    WAIT_UNTIL(h_count(&H, "TEST_EVENT") >= n, 10000);
    ASSERT_EQ(h_count(&H, "TEST_EVENT"), n);
    snprintf(want, sizeof want, "resuming %d of %d shard sessions", n, n);
    ASSERT_TRUE(h_log_has(want));
    ASSERT_EQ(h_stats(&H).identifies, identifies); /* none since the stop */
    ASSERT_EQ(h_stats(&H).violations, 0);
    WAIT_UNTIL(healthz_all_ready(port, n), 10000);

    unsetenv("NOTIFY_SOCKET");
    close(fd);
    h_teardown(&H);
    unlink(state_path);
    rmdir(tmpdir);
}

int
main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 4;

    ASSERT_TRUE(n >= 1 && n <= 64);
    unsetenv("STATE_DIRECTORY");
    unsetenv("CREDENTIALS_DIRECTORY");
    run(n);
    free(h_logs);
    printf("ok: %d recommended shards\n", n);
    return 0;
}
