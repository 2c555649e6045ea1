/*
 * test_service.c: running as a service, against the fake Discord:
 * systemd notifications on a socket the test binds (READY, WATCHDOG,
 * STOPPING, in that order); a stopped bot (dbot_stop or SIGTERM) that
 * starts again resumes and gets the events sent while it was down exactly
 * once; stop_mode "offline"; a stale session file; stopping with a job in
 * flight finishes it (and the grace time bounds the wait); /metrics is
 * valid Prometheus text whose counters move; /healthz turns 503 when the
 * gateway is down; SIGHUP re-reads the log level.
 */
#include "harness.h"
#include "service_probe.h"

#include "../prom.h"

#include <dbot/interaction.h>
#include <dbot/worker.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static struct harness H;
static char tmpdir[64], state_path[128], extra[512];

/* ---- helpers ------------------------------------------------------------ */

static void
wait_ready(struct harness *h)
{
    WAIT_UNTIL(h_count(h, "READY") >= 1, 10000);
    WAIT_UNTIL(h_count(h, "GUILD_CREATE") >= 1, 10000);
}

static void
h_init(struct harness *h)
{
    memset(h, 0, sizeof *h);
    pthread_mutex_init(&h->mu, NULL);
    dbot_log_set_sink(h_log_sink, NULL);
}

static double
metric(int port, const char *series)
{
    char *body;
    double v;

    ASSERT_EQ(http_get(port, "/metrics", &body), 200);
    v = prom_value(body, series);
    free(body);
    return v;
}

static int
healthz(int port, const char *want_in_body)
{
    char *body;
    int st = http_get(port, "/healthz", &body);
    int found = !want_in_body || strstr(body, want_in_body) != NULL;

    free(body);
    return found ? st : -1;
}

/* ---- systemd notifications ---------------------------------------------- */

TEST(notify_ready_watchdog_stopping_in_order)
{
    char env[80];
    int fd = notify_bind(env, sizeof env), ready, wd, stopping;

    nmsgs = 0;
    setenv("NOTIFY_SOCKET", env, 1);
    setenv("WATCHDOG_USEC", "200000", 1); /* ping every 100 ms */
    unsetenv("WATCHDOG_PID");
    h_start(&H, NULL, "");
    ready = notify_until(fd, "READY=1");
    ASSERT_CONTAINS(msgs[ready], "STATUS=1/1 shards ready");
    ASSERT_EQ(h_count(&H, "READY"), 1); /* only once the shard is READY */
    wd = notify_until(fd, "WATCHDOG=1");
    ASSERT_TRUE(wd > ready);
    ASSERT_EQ(h_finish(&H, 1), 0);
    stopping = notify_until(fd, "STOPPING=1");
    ASSERT_TRUE(stopping > wd);
    /* READY=1 is sent once; nothing but STATUS/WATCHDOG before it. */
    for (int i = 0; i < nmsgs; i++) {
        if (i != ready)
            ASSERT_NOT_CONTAINS(msgs[i], "READY=1");
        if (i < ready)
            ASSERT_TRUE(strncmp(msgs[i], "STATUS=", 7) == 0 ||
                        strcmp(msgs[i], "WATCHDOG=1") == 0);
    }
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    close(fd);
    h_teardown(&H);
}

/* ---- restarts ------------------------------------------------------------ */

TEST(restart_resumes_and_replays_missed_events_once)
{
    struct stat sb;

    snprintf(extra, sizeof extra, ",\"state_file\":\"%s\"", state_path);
    h_start(&H, NULL, extra);
    wait_ready(&H);
    h_push_numbered(&H, "TEST_EVENT", 0, 5);
    WAIT_UNTIL(h_count(&H, "TEST_EVENT") >= 5, 10000);

    /* 1. dbot_stop: close 4000 (resumable) and save the session. */
    ASSERT_EQ(h_finish(&H, 1), 0);
    WAIT_UNTIL(h_stats(&H).client_close_code != 0, 5000);
    ASSERT_EQ(h_stats(&H).client_close_code, 4000);
    ASSERT_EQ(h_stats(&H).client_closes_1000, 0);
    ASSERT_EQ(stat(state_path, &sb), 0);
    ASSERT_EQ(sb.st_mode & 0777, 0600);
    ASSERT_TRUE(h_log_has("saved 1 shard sessions"));

    /* Discord keeps sending while the bot is down. */
    h_push_numbered(&H, "TEST_EVENT", 5, 10);
    h_new_bot(&H, extra);
    h_run_bot(&H);
    WAIT_UNTIL(h_stats(&H).resumes_ok == 1, 10000);
    WAIT_UNTIL(h_count(&H, "TEST_EVENT") >= 10, 10000);
    ASSERT_EQ(h_stats(&H).identifies, 1);
    ASSERT_EQ(h_stats(&H).resumes_on_resume_url, 1);
    ASSERT_EQ(h_count(&H, "READY"), 1);
    WAIT_UNTIL(h_count(&H, "RESUMED") == 1, 10000);
    /* The file is used once: a crash now must not resume stale state. */
    ASSERT_TRUE(access(state_path, F_OK) != 0);
    h_push_numbered(&H, "TEST_EVENT", 10, 13);
    WAIT_UNTIL(h_count(&H, "TEST_EVENT") >= 13, 10000);
    h_assert_sequence(&H, "TEST_EVENT", 13);

    /* 2. SIGTERM does the same, also when it comes twice at once (as
     * `timeout` sends it: to the process, then to its group). */
    ASSERT_EQ(kill(getpid(), SIGTERM), 0);
    ASSERT_EQ(kill(getpid(), SIGTERM), 0);
    WAIT_UNTIL(!atomic_load(&H.running), 10000);
    ASSERT_EQ(h_finish(&H, 0), 0);
    ASSERT_EQ(access(state_path, F_OK), 0);
    h_push_numbered(&H, "TEST_EVENT", 13, 16);
    h_new_bot(&H, extra);
    h_run_bot(&H);
    WAIT_UNTIL(h_stats(&H).resumes_ok == 2, 10000);
    WAIT_UNTIL(h_count(&H, "TEST_EVENT") >= 16, 10000);
    h_assert_sequence(&H, "TEST_EVENT", 16);
    ASSERT_EQ(h_stats(&H).identifies, 1);
    ASSERT_EQ(h_stats(&H).violations, 0);
    h_teardown(&H);
    unlink(state_path);
}

/* Two shards: READY=1 waits for both; both sessions are saved and both
 * resume. */
TEST(two_shards_ready_together_and_both_resume)
{
    struct fakecord_opts o = { .shards = 2, .guilds = 4 };
    char env[80], d[32];
    int fd = notify_bind(env, sizeof env), ready;

    nmsgs = 0;
    setenv("NOTIFY_SOCKET", env, 1);
    snprintf(extra, sizeof extra, ",\"state_file\":\"%s\",\"shards\":2",
             state_path);
    h_start(&H, &o, extra);
    ready = notify_until(fd, "READY=1");
    ASSERT_CONTAINS(msgs[ready], "STATUS=2/2 shards ready");
    ASSERT_EQ(h_count(&H, "READY"), 2);
    for (int i = 0; i < ready; i++)
        ASSERT_NOT_CONTAINS(msgs[i], "2/2 shards ready");
    ASSERT_EQ(h_finish(&H, 1), 0);
    ASSERT_TRUE(h_log_has("saved 2 shard sessions"));
    for (int i = 0; i < 4; i++) {
        snprintf(d, sizeof d, "{\"i\":%d}", i);
        ASSERT_GE(fakecord_push_event_shard(H.fc, i % 2, "TEST_EVENT", d), 0);
    }
    h_new_bot(&H, extra);
    h_run_bot(&H);
    WAIT_UNTIL(h_stats(&H).resumes_ok == 2, 10000);
    WAIT_UNTIL(h_count(&H, "TEST_EVENT") >= 4, 10000);
    ASSERT_EQ(h_count(&H, "TEST_EVENT"), 4);
    WAIT_UNTIL(h_count(&H, "RESUMED") == 2, 10000);
    ASSERT_EQ(h_stats(&H).identifies, 2);
    ASSERT_EQ(h_stats(&H).violations, 0);
    unsetenv("NOTIFY_SOCKET");
    close(fd);
    h_teardown(&H);
    unlink(state_path);
}

TEST(offline_mode_ends_the_session)
{
    snprintf(extra, sizeof extra,
             ",\"state_file\":\"%s\",\"stop_mode\":\"offline\"", state_path);
    h_start(&H, NULL, extra);
    wait_ready(&H);
    ASSERT_EQ(h_finish(&H, 1), 0);
    WAIT_UNTIL(h_stats(&H).client_closes_1000 == 1, 5000);
    ASSERT_TRUE(access(state_path, F_OK) != 0);
    h_new_bot(&H, extra);
    h_run_bot(&H);
    WAIT_UNTIL(h_count(&H, "READY") == 2, 10000);
    ASSERT_EQ(h_stats(&H).identifies, 2);
    ASSERT_EQ(h_stats(&H).resumes, 0);
    h_teardown(&H);
}

/* A session file as a previous run (or someone else) left it, with an
 * explicit mode so the umask cannot change what the test means. */
static void
plant_session(const char *session_id, const char *resume_url, mode_t mode,
              long long saved_at)
{
    char text[512];
    FILE *f;

    snprintf(text, sizeof text,
             "{\"version\":1,\"saved_at\":%lld,\"shard_count\":1,\"shards\":"
             "[{\"shard\":0,\"session_id\":\"%s\",\"seq\":3,"
             "\"resume_url\":\"%s\"}]}",
             saved_at, session_id, resume_url);
    unlink(state_path);
    f = fopen(state_path, "w");
    ASSERT_TRUE(f != NULL);
    fputs(text, f);
    fclose(f);
    ASSERT_EQ(chmod(state_path, mode), 0);
}

static char *
slurp(const char *path)
{
    static char buf[4096];
    FILE *f = fopen(path, "r");
    size_t n;

    ASSERT_TRUE(f != NULL);
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

TEST(stale_session_file_identifies)
{
    /* Saved 20 minutes ago: past the resume window. */
    plant_session("old", "ws://127.0.0.1:1/resume", 0600,
                  (long long)time(NULL) - 1200);
    h_log_reset();
    snprintf(extra, sizeof extra, ",\"state_file\":\"%s\"", state_path);
    h_start(&H, NULL, extra);
    wait_ready(&H);
    ASSERT_EQ(h_stats(&H).identifies, 1);
    ASSERT_EQ(h_stats(&H).resumes, 0);
    ASSERT_TRUE(h_log_has("not resuming the saved sessions (saved 120"));
    ASSERT_TRUE(h_log_has("s ago, over the 180 s window); identifying"));
    ASSERT_TRUE(access(state_path, F_OK) != 0);
    h_teardown(&H);
    unlink(state_path);
}

/* A planted session once sent the resume, token and all, wherever its
 * resume_url said, and was saved again at stop. Now a resume goes only to
 * the gateway's own site, whether the gateway URL is configured or still
 * to be asked for. The planted URL here points at a listener of the test:
 * it must never see a connection. */
TEST(planted_resume_url_elsewhere_is_refused)
{
    char url[64];
    int port, lfd = bind_loopback(&port);

    ASSERT_EQ(listen(lfd, 8), 0);
    ASSERT_EQ(fcntl(lfd, F_SETFL, O_NONBLOCK), 0);
    /* The fake's host, but TLS where the gateway has none. */
    snprintf(url, sizeof url, "wss://127.0.0.1:%d/", port);
    snprintf(extra, sizeof extra, ",\"state_file\":\"%s\"", state_path);
    for (int known = 1; known >= 0; known--) {
        plant_session("planted-session", url, 0600, (long long)time(NULL));
        h_log_reset();
        h_init(&H);
        h_start_fake(&H, NULL);
        h_new_bot_at(&H, known, extra);
        h_run_bot(&H);
        wait_ready(&H);
        ASSERT_EQ(h_stats(&H).identifies, 1);
        ASSERT_EQ(h_stats(&H).resumes, 0);
        ASSERT_TRUE(h_log_has("is not on the gateway's site"));
        ASSERT_EQ(accept(lfd, NULL, NULL), -1);
        ASSERT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK);
        /* What is saved at stop is the bot's own new session. */
        ASSERT_EQ(h_finish(&H, 1), 0);
        ASSERT_NOT_CONTAINS(slurp(state_path), "planted-session");
        ASSERT_NOT_CONTAINS(slurp(state_path), url);
        h_teardown(&H);
        unlink(state_path);
    }
    close(lfd);
}

/* A session file others can write is not believed (its resume URL and
 * session would be theirs), and the log says what to fix. */
TEST(shared_session_file_is_not_trusted)
{
    char url[128];

    h_init(&H);
    h_start_fake(&H, NULL);
    snprintf(url, sizeof url, "%s/resume", fakecord_gateway_url(H.fc));
    plant_session("shared-session", url, 0666, (long long)time(NULL));
    h_log_reset();
    snprintf(extra, sizeof extra, ",\"state_file\":\"%s\"", state_path);
    h_new_bot(&H, extra);
    h_run_bot(&H);
    wait_ready(&H);
    ASSERT_EQ(h_stats(&H).identifies, 1);
    ASSERT_EQ(h_stats(&H).resumes, 0);
    ASSERT_TRUE(h_log_has("not trusting the session file"));
    ASSERT_TRUE(h_log_has("writable by other users (mode 0666); chmod 600 it"));
    h_teardown(&H);
    unlink(state_path);
}

/* A FIFO as the session file used to block the loop at start for good. */
TEST(fifo_as_session_file_does_not_block)
{
    ASSERT_EQ(mkfifo(state_path, 0600), 0);
    h_log_reset();
    snprintf(extra, sizeof extra, ",\"state_file\":\"%s\"", state_path);
    h_start(&H, NULL, extra);
    wait_ready(&H);
    ASSERT_EQ(h_stats(&H).identifies, 1);
    ASSERT_TRUE(h_log_has("not a regular file (a FIFO); identifying"));
    h_teardown(&H);
    unlink(state_path);
}

/* ---- in-flight work ------------------------------------------------------ */

static atomic_int job_started, job_release, job_done_status = 1;

static void
slow_work(dbot_work *w)
{
    (void)w;
    atomic_store(&job_started, 1);
    while (!atomic_load(&job_release)) {
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
    }
}

static void
slow_done(dbot *bot, dbot_work *w, int status)
{
    dbot_interaction *ix = dbot_work_data(w);

    (void)bot;
    atomic_store(&job_done_status, status);
    dbot_interaction_original_edit(ix, "finished during shutdown");
    dbot_interaction_unref(ix);
}

static int
on_slow(dbot_interaction *ix, void *data)
{
    int rc = dbot_interaction_defer(ix, 0);

    (void)data;
    if (rc < 0)
        return rc;
    dbot_interaction_ref(ix);
    rc =
        dbot_work_submit(dbot_interaction_bot(ix), slow_work, slow_done, ix, 0);
    if (rc < 0)
        dbot_interaction_unref(ix);
    return rc;
}

static uint64_t
start_slow_job(const char *more)
{
    uint64_t id;

    atomic_store(&job_started, 0);
    atomic_store(&job_release, 0);
    atomic_store(&job_done_status, 1);
    h_init(&H);
    h_start_fake(&H, NULL);
    h_new_bot(&H, more);
    ASSERT_EQ(dbot_on_command(H.bot, "slow", on_slow, NULL), 0);
    h_run_bot(&H);
    wait_ready(&H);
    id = fakecord_push_interaction(
        H.fc, "{\"type\":2,\"data\":{\"id\":\"7\",\"name\":\"slow\","
              "\"type\":1},\"channel_id\":\"1\",\"user\":{\"id\":\"5\","
              "\"username\":\"u\"}}");
    ASSERT_NE(id, 0);
    WAIT_UNTIL(atomic_load(&job_started), 10000);
    return id;
}

TEST(stop_finishes_jobs_in_flight)
{
    struct fakecord_ix_log l;
    uint64_t id = start_slow_job("");

    dbot_stop(H.bot);
    /* The gateway closes at once (no new work) ... */
    WAIT_UNTIL(h_stats(&H).client_close_code == 4000, 5000);
    ASSERT_TRUE(atomic_load(&H.running));
    /* ... while the job still runs; when it ends its reply goes out. */
    atomic_store(&job_release, 1);
    WAIT_UNTIL(!atomic_load(&H.running), 10000);
    ASSERT_EQ(H.rc, 0);
    ASSERT_EQ(atomic_load(&job_done_status), 0);
    memset(&l, 0, sizeof l);
    ASSERT_EQ(fakecord_interaction_log(H.fc, id, &l), 0);
    ASSERT_EQ(l.callbacks, 1);
    ASSERT_EQ(l.edits, 1);
    ASSERT_STREQ(cJSON_GetObjectItem(l.last_edit, "content")->valuestring,
                 "finished during shutdown");
    fakecord_ix_log_free(&l);
    ASSERT_EQ(h_finish(&H, 0), 0);
    h_teardown(&H);
}

TEST(shutdown_grace_bounds_the_wait)
{
    long long t0;

    start_slow_job(",\"shutdown_grace_ms\":300");
    t0 = check_now_ms_();
    dbot_stop(H.bot);
    WAIT_UNTIL(!atomic_load(&H.running), 10000);
    ASSERT_LE(check_now_ms_() - t0, check_timeout_ms_(2500));
    ASSERT_EQ(H.rc, 0);
    atomic_store(&job_release, 1); /* dbot_free waits for running jobs */
    ASSERT_EQ(h_finish(&H, 0), 0);
    h_teardown(&H);
}

/* ---- HTTP ---------------------------------------------------------------- */

TEST(metrics_and_healthz)
{
    int port = free_port();
    char *body;
    const char *bad;
    uint64_t id;

    snprintf(extra, sizeof extra, ",\"http_listen\":\"127.0.0.1:%d\"", port);
    h_init(&H);
    h_start_fake(&H, NULL);
    h_new_bot(&H, extra);
    h_run_bot(&H);
    wait_ready(&H);
    ASSERT_EQ(healthz(port, "\"status\":\"ok\""), 200);

    ASSERT_EQ(http_get(port, "/metrics", &body), 200);
    bad = prom_check(body);
    if (bad)
        CHECK_FAIL_("/metrics: %s\n%s", bad, body);
    ASSERT_EQ(prom_value(body, "dbot_shard_state{shard=\"0\",state="
                               "\"ready\"}"),
              1);
    ASSERT_EQ(prom_value(body, "dbot_gateway_identifies_total{shard=\"0\"}"),
              1);
    ASSERT_EQ(prom_value(body, "dbot_gateway_events_total{type=\"READY\"}"), 1);
    ASSERT_TRUE(isnan(prom_value(body, "dbot_gateway_events_total{type="
                                       "\"TEST_EVENT\"}")));
    free(body);

    /* Counters move. */
    h_push_numbered(&H, "TEST_EVENT", 0, 3);
    WAIT_UNTIL(h_count(&H, "TEST_EVENT") >= 3, 10000);
    ASSERT_EQ(metric(port, "dbot_gateway_events_total{type=\"TEST_EVENT\"}"),
              3);
    id = fakecord_push_interaction(
        H.fc, "{\"type\":2,\"data\":{\"id\":\"7\",\"name\":\"nobody\","
              "\"type\":1},\"channel_id\":\"1\",\"user\":{\"id\":\"5\","
              "\"username\":\"u\"}}");
    ASSERT_NE(id, 0);
    WAIT_UNTIL(metric(port, "dbot_interaction_ack_seconds_count") == 1, 10000);
    ASSERT_EQ(metric(port, "dbot_interactions_received_total"), 1);
    ASSERT_EQ(http_get(port, "/metrics", &body), 200);
    ASSERT_TRUE(prom_check(body) == NULL);
    ASSERT_CONTAINS(body, "dbot_rest_requests_total{route=\"POST "
                          "/interactions/");
    free(body);

    ASSERT_EQ(http_get(port, "/nope", &body), 404);
    free(body);

    /* The gateway goes away and does not come back: 503, with the
     * reason, and the reconnects show in /metrics. */
    fakecord_stop(H.fc);
    H.fc = NULL;
    WAIT_UNTIL(healthz(port, "shard 0 is") == 503, 10000);
    ASSERT_EQ(http_get(port, "/healthz", &body), 503);
    ASSERT_CONTAINS(body, "\"status\":\"unavailable\"");
    ASSERT_CONTAINS(body, "\"loop_healthy\":true");
    free(body);
    WAIT_UNTIL(metric(port, "dbot_gateway_reconnects_total{shard=\"0\"}") >= 1,
               10000);
    ASSERT_EQ(h_finish(&H, 1), 0);
    /* The listener is gone with the loop. */
    {
        struct sockaddr_in a;
        int fd = socket(AF_INET, SOCK_STREAM, 0);

        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_port = htons((uint16_t)port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ASSERT_TRUE(connect(fd, (struct sockaddr *)&a, sizeof a) != 0);
        close(fd);
    }
    pthread_mutex_destroy(&H.mu);
    ASSERT_TRUE(!h_log_has(H_TOKEN));
}

TEST(http_listen_in_use_fails_the_run)
{
    int port, fd = bind_loopback(&port);

    ASSERT_EQ(listen(fd, 1), 0);
    /* A saved session survives the failed start for the next attempt. */
    {
        FILE *f = fopen(state_path, "w");

        ASSERT_TRUE(f != NULL);
        fprintf(f, "{\"version\":1}");
        fclose(f);
    }
    snprintf(extra, sizeof extra,
             ",\"http_listen\":\"127.0.0.1:%d\",\"state_file\":\"%s\"", port,
             state_path);
    h_log_reset();
    h_start(&H, NULL, extra);
    ASSERT_EQ(h_finish(&H, 0), DBOT_EIO);
    ASSERT_TRUE(h_log_has("cannot listen on 127.0.0.1"));
    ASSERT_EQ(h_stats(&H).connections, 0);
    ASSERT_EQ(access(state_path, F_OK), 0);
    unlink(state_path);
    close(fd);
    h_teardown(&H);
}

/* ---- SIGHUP ---------------------------------------------------------------
 */

static void
write_config(const char *path, const char *level)
{
    FILE *f = fopen(path, "w");

    ASSERT_TRUE(f != NULL);
    fprintf(f,
            "{\"token\":\"%s\",\"api_url\":\"%s\",\"gateway_url\":\"%s\","
            "\"log_level\":\"%s\"}",
            H_TOKEN, fakecord_api_url(H.fc), fakecord_gateway_url(H.fc), level);
    fclose(f);
    chmod(path, 0600);
}

TEST(sighup_rereads_the_log_level)
{
    char path[160];

    snprintf(path, sizeof path, "%s/config.json", tmpdir);
    h_init(&H);
    h_start_fake(&H, NULL);
    write_config(path, "info");
    ASSERT_EQ(dbot_new(&H.bot, path), 0);
    ASSERT_EQ(dbot_on(H.bot, "*", h_record, &H), 0);
    h_run_bot(&H);
    wait_ready(&H);
    h_log_reset();
    dbot_log(DBOT_LOG_DEBUG, "test", "probe-before");
    ASSERT_TRUE(!h_log_has("probe-before"));
    write_config(path, "debug");
    ASSERT_EQ(kill(getpid(), SIGHUP), 0);
    WAIT_UNTIL(h_log_has("SIGHUP: configuration re-read"), 10000);
    dbot_log(DBOT_LOG_DEBUG, "test", "probe-after");
    ASSERT_TRUE(h_log_has("probe-after"));
    /* A broken file keeps the current level. */
    write_config(path, "loud");
    ASSERT_EQ(kill(getpid(), SIGHUP), 0);
    WAIT_UNTIL(h_log_has("SIGHUP: keeping the current configuration"), 10000);
    ASSERT_TRUE(atomic_load(&H.running)); /* HUP is not a stop */
    ASSERT_EQ(h_finish(&H, 1), 0);
    dbot_log_set_level(DBOT_LOG_INFO);
    unlink(path);
    h_teardown(&H);
}

int
main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dbot-itest-service-XXXXXX");
    ASSERT_TRUE(mkdtemp(tmpdir) != NULL);
    snprintf(state_path, sizeof state_path, "%s/session.json", tmpdir);
    unsetenv("STATE_DIRECTORY");
    unsetenv("NOTIFY_SOCKET");
    unsetenv("CREDENTIALS_DIRECTORY");
    RUN(notify_ready_watchdog_stopping_in_order);
    RUN(restart_resumes_and_replays_missed_events_once);
    RUN(two_shards_ready_together_and_both_resume);
    RUN(offline_mode_ends_the_session);
    RUN(stale_session_file_identifies);
    RUN(planted_resume_url_elsewhere_is_refused);
    RUN(shared_session_file_is_not_trusted);
    RUN(fifo_as_session_file_does_not_block);
    RUN(stop_finishes_jobs_in_flight);
    RUN(shutdown_grace_bounds_the_wait);
    RUN(metrics_and_healthz);
    RUN(http_listen_in_use_fails_the_run);
    RUN(sighup_rereads_the_log_level);
    rmdir(tmpdir);
    free(h_logs);
    return 0;
}
