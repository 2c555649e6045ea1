/*
 * test_coord.c: one bot run by four processes that coordinate through a
 * real redis-server (README "Running a large bot").
 *
 * The fake Discord has 16 shards and max_concurrency 2 and enforces
 * identify pacing (an Identify too early in its bucket is a violation and
 * gets op 9). Four coord_bot processes run shards 0-3, 4-7, 8-11 and
 * 12-15. Checked, in order:
 *   - all 16 shards READY, no identify too early;
 *   - a fifth process asking for shards 3-4 is refused them and exits;
 *   - a REST burst from all four at once stays within the fake's global
 *     limit (50/s): no 429;
 *   - Redis killed: every process keeps its shards, says so on /metrics
 *     and /healthz, and a second burst stays within the local shares;
 *     a dropped shard resumes meanwhile;
 *   - Redis restarted: coordination returns;
 *   - rolling restart: one process stopped with SIGTERM and started again
 *     resumes its four shards while the others run.
 * With argument "budget": one session-start budget for the whole bot
 * (run_budget); "autoshard": shards added by "shards": 0 are leased
 * (run_autoshard).
 * Skips (exit 77) when redis-server is not installed.
 */
#include "harness.h"
#include "../prom.h"
#include "clock.h"
#include "redis_server.h"
#include "service_probe.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define NPROC   4
#define NSHARDS 16
#define BURST   60 /* per process: 240 requests against 50/s */

static fakecord *fc;
static char tmpdir[64];
static struct redis_server R;
static char bot_exe[512];

struct proc {
    pid_t pid;
    int http_port;
    char ids[16];
    char log[128];
};
static struct proc P[NPROC + 1];

/* A process running `shards` in all ("shards": 0: Discord's
 * recommendation), p->ids of them ("": every one). */
static void
start_proc_of(struct proc *p, int shards)
{
    char json[2048], ids[48] = "";
    char *argv[] = { bot_exe, json, NULL };

    if (p->ids[0])
        snprintf(ids, sizeof ids, "\"shard_ids\":\"%s\",", p->ids);
    snprintf(json, sizeof json,
             "{\"token\":\"%s\",\"api_url\":\"%s\",\"log_level\":\"debug\","
             "\"reconnect_min_ms\":50,\"reconnect_max_ms\":400,"
             "\"shards\":%d,%s"
             "\"redis_url\":\"redis://127.0.0.1:%d\","
             "\"http_listen\":\"127.0.0.1:%d\","
             "\"state_file\":\"%s/state-%s.json\"}",
             H_TOKEN, fakecord_api_url(fc), shards, ids, R.port, p->http_port,
             tmpdir, p->ids[0] ? p->ids : "all");
    p->pid = spawn_logged(argv, p->log);
}

static void
start_proc(struct proc *p)
{
    start_proc_of(p, NSHARDS);
}

/* The whole log of a process (caller frees). */
static char *
read_log(const struct proc *p)
{
    FILE *f = fopen(p->log, "r");
    char *buf;
    long n;

    ASSERT_TRUE(f != NULL);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = calloc(1, (size_t)n + 1);
    ASSERT_EQ(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return buf;
}

static int
log_count(const struct proc *p, const char *needle)
{
    char *text = read_log(p), *at = text;
    int n = 0;

    while ((at = strstr(at, needle)) != NULL) {
        n++;
        at += strlen(needle);
    }
    free(text);
    return n;
}

/* GET without asserting (the process may not listen yet): the status, or
 * -1. Polled by WAIT_UNTIL, so it paces itself. */
static int
try_get(int port, const char *path, const char *needle)
{
    char *body = NULL;
    int st, found;
    struct timespec ts = { 0, 50 * 1000000L };

    nanosleep(&ts, NULL);
    if (!redis_can_connect(port))
        return 0;
    st = http_get(port, path, &body);
    found = st >= 200 && body && strstr(body, needle) != NULL;
    free(body);
    return found;
}

static int
all_have(const char *path, const char *needle)
{
    for (int i = 0; i < NPROC; i++)
        if (!try_get(P[i].http_port, path, needle))
            return 0;
    return 1;
}

/* Processes 0..n-1 have series `name` within [lo, hi] on /metrics. */
static int
all_metric_of(int n, const char *name, double lo, double hi)
{
    struct timespec ts = { 0, 50 * 1000000L };

    nanosleep(&ts, NULL);
    for (int i = 0; i < n; i++) {
        char *body = NULL;
        double v;

        if (!redis_can_connect(P[i].http_port))
            return 0;
        if (http_get(P[i].http_port, "/metrics", &body) != 200) {
            free(body);
            return 0;
        }
        /* The text is valid exposition format, coord series included. */
        ASSERT_TRUE(prom_check(body) == NULL);
        v = prom_value(body, name);
        free(body);
        if (!(v >= lo && v <= hi)) /* NAN (absent) fails too */
            return 0;
    }
    return 1;
}

static int
all_metric(const char *name, double lo, double hi)
{
    return all_metric_of(NPROC, name, lo, hi);
}

static int
violations(void)
{
    struct fakecord_stats s;

    fakecord_stats(fc, &s);
    if (s.violations) {
        char *v = fakecord_violations(fc);
        fprintf(stderr, "fakecord violations:\n%s\n", v ? v : "");
        free(v);
    }
    return s.violations;
}

static struct fakecord_stats
stats(void)
{
    struct fakecord_stats s;

    fakecord_stats(fc, &s);
    return s;
}

/* Every process sends `n` messages at once: to a channel of its own, or
 * all to one channel. */
static void
burst(int n, int one_channel)
{
    for (int i = 0; i < NPROC; i++) {
        char d[96];
        snprintf(d, sizeof d, "{\"n\":%d,\"channel\":\"%d\"}", n,
                 one_channel ? 999 : 1000 + i);
        ASSERT_GE(fakecord_push_event_shard(fc, i * 4, "BURST", d), 0);
    }
}

/* Every process logged `times` bursts of `n` without a failure. */
static int
bursts_done(int times, int n)
{
    char want[64];
    struct timespec ts = { 0, 50 * 1000000L };

    nanosleep(&ts, NULL);
    snprintf(want, sizeof want, "burst done: %d ok, 0 failed", n);
    for (int i = 0; i < NPROC; i++)
        if (log_count(&P[i], want) < times)
            return 0;
    return 1;
}

static int
exited(pid_t pid, int *code)
{
    int st;
    struct timespec ts = { 0, 20 * 1000000L };

    nanosleep(&ts, NULL);
    if (waitpid(pid, &st, WNOHANG) != pid)
        return 0;
    for (int i = 0; i <= NPROC; i++)
        if (P[i].pid == pid)
            P[i].pid = 0;
    *code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return 1;
}

static void
run(void)
{
    struct fakecord_opts o = { .shards = NSHARDS,
                               .guilds = NSHARDS,
                               .max_concurrency = 2,
                               .enforce_identify_rate = 1,
                               .token = H_TOKEN };
    struct proc *extra = &P[NPROC];
    int code = -1, resumes;

    fc = fakecord_start(&o);
    ASSERT_TRUE(fc != NULL);
    /* Only the global limit: 50 requests/s for the whole bot. */
    ASSERT_EQ(fakecord_rest_limit(fc, "POST", "/channels/{channel_id}/messages",
                                  "h", 0, 0),
              0);
    ASSERT_EQ(fakecord_rest_global_limit(fc, 50), 0);

    for (int i = 0; i < NPROC; i++) {
        P[i].http_port = free_port();
        snprintf(P[i].ids, sizeof P[i].ids, "%d-%d", i * 4, i * 4 + 3);
        snprintf(P[i].log, sizeof P[i].log, "%s/bot%d.log", tmpdir, i);
        start_proc(&P[i]);
    }
    /* 8 rounds of 2 buckets, 5 s each. */
    WAIT_UNTIL(stats().ready_sent >= NSHARDS, 90000);
    WAIT_UNTIL(all_have("/healthz", "\"status\":\"ok\""), 30000);
    ASSERT_EQ(violations(), 0);
    ASSERT_EQ(stats().identifies, NSHARDS);
    ASSERT_TRUE(all_have("/healthz", "\"coordination\":\"ok\""));
    ASSERT_TRUE(all_metric("dbot_coord_processes", 4, 4));
    ASSERT_TRUE(all_metric("dbot_coord_up", 1, 1));
    ASSERT_TRUE(all_metric("dbot_coord_identify_grants_total", 4, 4));

    /* Overlap: shards 3 and 4 are taken. */
    extra->http_port = free_port();
    snprintf(extra->ids, sizeof extra->ids, "3-4");
    snprintf(extra->log, sizeof extra->log, "%s/bot-overlap.log", tmpdir);
    start_proc(extra);
    WAIT_UNTIL(exited(extra->pid, &code), 30000);
    ASSERT_EQ(code, 3);
    ASSERT_EQ(log_count(extra, "shards 3-4 already run by another process"), 1);
    ASSERT_EQ(stats().identifies, NSHARDS);

    /* A burst from everyone: within the shared global limit. */
    burst(BURST, 0);
    WAIT_UNTIL(bursts_done(1, BURST), 60000);
    ASSERT_EQ(stats().rest_429s, 0);
    ASSERT_TRUE(all_metric("dbot_coord_global_slots_total", BURST, 1e9));

    /* Everyone posts to one channel whose bucket allows 10 per second:
     * one shared bucket, no 429. */
    ASSERT_EQ(fakecord_rest_limit(fc, "POST", "/channels/{channel_id}/messages",
                                  "h", 10, 1000),
              0);
    burst(12, 1);
    WAIT_UNTIL(bursts_done(1, 12), 60000);
    ASSERT_EQ(stats().rest_429s, 0);
    ASSERT_TRUE(all_metric("dbot_coord_bucket_grants_total", 1, 1e9));
    ASSERT_EQ(fakecord_rest_limit(fc, "POST", "/channels/{channel_id}/messages",
                                  "h", 0, 0),
              0);

    /* Redis goes away. */
    redis_kill(&R);
    WAIT_UNTIL(all_metric("dbot_coord_up", 0, 0), 30000);
    ASSERT_TRUE(all_metric("dbot_coord_outages_total", 1, 1));
    ASSERT_TRUE(all_have("/healthz", "\"coordination\":\"down\""));
    ASSERT_TRUE(all_have("/healthz", "\"status\":\"ok\""));
    for (int i = 0; i < NPROC; i++)
        ASSERT_EQ(log_count(&P[i], "Redis stopped answering"), 1);
    burst(BURST, 0); /* local shares: 50 / 4 each */
    WAIT_UNTIL(bursts_done(2, BURST), 60000);
    ASSERT_EQ(stats().rest_429s, 0);
    resumes = stats().resumes_ok;
    ASSERT_EQ(fakecord_drop_shard(fc, 5), 0);
    WAIT_UNTIL(stats().resumes_ok > resumes, 30000);
    WAIT_UNTIL(all_have("/healthz", "\"status\":\"ok\""), 30000);

    /* Redis comes back (empty, as after a restart without persistence):
     * the leases are taken again, coordination resumes. */
    redis_start(&R);
    WAIT_UNTIL(all_metric("dbot_coord_up", 1, 1), 30000);
    WAIT_UNTIL(all_metric("dbot_coord_processes", 4, 4), 30000);
    ASSERT_TRUE(all_have("/healthz", "\"coordination\":\"ok\""));
    for (int i = 0; i < NPROC; i++)
        ASSERT_EQ(log_count(&P[i], "Redis answers again"), 1);

    /* Rolling restart of the second process: its four sessions resume,
     * nobody identifies. */
    resumes = stats().resumes_ok;
    kill(P[1].pid, SIGTERM);
    WAIT_UNTIL(exited(P[1].pid, &code), 30000);
    ASSERT_EQ(code, 0);
    ASSERT_EQ(log_count(&P[1], "released the leases of 4 shards"), 1);
    start_proc(&P[1]);
    WAIT_UNTIL(stats().resumes_ok >= resumes + 4, 30000);
    WAIT_UNTIL(all_have("/healthz", "\"status\":\"ok\""), 30000);
    ASSERT_EQ(log_count(&P[1], "resuming 4 of 4 shard sessions"), 1);
    ASSERT_EQ(stats().identifies, NSHARDS);
    ASSERT_EQ(violations(), 0);

    for (int i = 0; i < NPROC; i++)
        kill(P[i].pid, SIGTERM);
    for (int i = 0; i < NPROC; i++) {
        WAIT_UNTIL(exited(P[i].pid, &code), 30000);
        ASSERT_EQ(code, 0);
    }
    redis_kill(&R);
    fakecord_stop(fc);
}

/* Process i of a scenario: shards `ids` ("" all) of `shards`. */
static void
start_nth(int i, const char *ids, int shards)
{
    P[i].http_port = free_port();
    snprintf(P[i].ids, sizeof P[i].ids, "%s", ids);
    snprintf(P[i].log, sizeof P[i].log, "%s/bot%d.log", tmpdir, i);
    start_proc_of(&P[i], shards);
}

static void
stop_all(int n)
{
    int code = -1;

    for (int i = 0; i < n; i++)
        kill(P[i].pid, SIGTERM);
    for (int i = 0; i < n; i++) {
        WAIT_UNTIL(exited(P[i].pid, &code), 30000);
        ASSERT_EQ(code, 0);
    }
}

/* Both processes logged the spent budget (each has a shard waiting). */
static int
both_logged(const char *needle)
{
    struct timespec ts = { 0, 50 * 1000000L };

    nanosleep(&ts, NULL);
    return log_count(&P[0], needle) >= 1 && log_count(&P[1], needle) >= 1;
}

/* The session-start budget is the bot's: 2 processes x 4 shards, all
 * connected after reading remaining 3, make exactly 3 identifies; the
 * other 5 shards wait and say why, and identify once Discord's window
 * resets (the fake refills it after BUDGET_WINDOW_MS). Before the budget
 * was shared, every shard went by its own remaining 3 and the fourth
 * identify was a violation. */
#define BUDGET_WINDOW_MS 30000
static void
run_budget(void)
{
    struct fakecord_opts o = { .shards = 8,
                               .guilds = 8,
                               .max_concurrency = 4,
                               .enforce_identify_rate = 1,
                               .session_start_remaining = 3,
                               .session_start_reset_ms = BUDGET_WINDOW_MS,
                               .token = H_TOKEN };
    const char *spent = "session-start budget is spent";
    int64_t t0;

    fc = fakecord_start(&o);
    ASSERT_TRUE(fc != NULL);
    t0 = dbot__clock_ms();
    /* Every shard reads remaining 3 and connects before anyone may
     * identify: Hellos are held until all 8 are connected. */
    ASSERT_EQ(fakecord_hold_hello(fc, 1), 0);
    start_nth(0, "0-3", 8);
    start_nth(1, "4-7", 8);
    WAIT_UNTIL(stats().live_connections >= 8, 20000);
    ASSERT_EQ(fakecord_hold_hello(fc, 0), 0);
    WAIT_UNTIL(stats().ready_sent >= 3 && both_logged(spent), 20000);
    /* Still in the first window: exactly the budget was spent. */
    ASSERT_LE(dbot__clock_ms() - t0, BUDGET_WINDOW_MS - 2000);
    ASSERT_EQ(stats().identifies, 3);
    ASSERT_EQ(violations(), 0);
    WAIT_UNTIL(all_metric_of(2, "dbot_coord_session_budget", 0, 0), 10000);
    WAIT_UNTIL(all_metric_of(2, "dbot_coord_budget_waits_total", 1, 1e9),
               10000);
    ASSERT_EQ(stats().identifies, 3);

    /* The window resets: the waiting shards identify, within the new
     * budget and the buckets' pacing. */
    WAIT_UNTIL(stats().ready_sent >= 8, 90000);
    ASSERT_EQ(stats().identifies, 8);
    ASSERT_EQ(violations(), 0);
    ASSERT_EQ(log_count(&P[0], spent), 1); /* once per exhaustion */
    ASSERT_EQ(log_count(&P[1], spent), 1);
    stop_all(2);
    fakecord_stop(fc);
}

/* "shards": 0: the shards the plan adds are leased too. A process runs
 * shards 2-3 of 4; a second one told to auto-shard runs 0 and 1 and
 * refuses 2-3 with the same error as configured shards, and never
 * identifies them. */
static void
run_autoshard(void)
{
    struct fakecord_opts o = {
        .shards = 4, .guilds = 4, .max_concurrency = 4, .token = H_TOKEN
    };

    fc = fakecord_start(&o);
    ASSERT_TRUE(fc != NULL);
    start_nth(0, "2-3", 4);
    WAIT_UNTIL(stats().ready_sent >= 2, 30000);
    start_nth(1, "", 0);
    WAIT_UNTIL(log_count(&P[1], "shards 2-3 already run by another "
                                "process of this bot") == 1,
               40000);
    WAIT_UNTIL(stats().ready_sent >= 4, 30000);
    ASSERT_EQ(log_count(&P[1], "Discord recommends 4 shards"), 1);
    /* The refused ones are stopped, and /healthz says so (a conflict to
     * fix in the configuration). */
    WAIT_UNTIL(try_get(P[1].http_port, "/healthz", "shard 2 is stopped") &&
                   try_get(P[1].http_port, "/healthz", "shard 3 is stopped"),
               30000);
    ASSERT_EQ(stats().identifies, 4);
    ASSERT_EQ(violations(), 0);
    ASSERT_TRUE(all_metric_of(2, "dbot_coord_processes", 2, 2));
    stop_all(2);
    fakecord_stop(fc);
}

/* A failed check exits: take the children along, so no bot or Redis
 * outlives the test. */
static void
kill_children(void)
{
    for (int i = 0; i <= NPROC; i++)
        if (P[i].pid > 0 && waitpid(P[i].pid, NULL, WNOHANG) == 0) {
            kill(P[i].pid, SIGKILL);
            waitpid(P[i].pid, NULL, 0);
        }
    redis_kill(&R);
}

int
main(int argc, char **argv)
{
    char *slash;

    if (redis_find(&R) < 0) {
        printf("SKIP: redis-server is not installed (scripts/deps.sh "
               "installs it)\n");
        return 77;
    }
    /* coord_bot sits next to this test's executable. */
    snprintf(bot_exe, sizeof bot_exe, "%s", argv[0]);
    slash = strrchr(bot_exe, '/');
    snprintf(slash ? slash + 1 : bot_exe,
             sizeof bot_exe - (size_t)(slash ? slash + 1 - bot_exe : 0),
             "coord_bot");
    unsetenv("STATE_DIRECTORY");
    unsetenv("CREDENTIALS_DIRECTORY");
    unsetenv("NOTIFY_SOCKET");
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dbot-itest-coord-XXXXXX");
    ASSERT_TRUE(mkdtemp(tmpdir) != NULL);
    R.port = free_port();
    atexit(kill_children);
    redis_start(&R);
    if (argc > 1 && strcmp(argv[1], "budget") == 0) {
        run_budget();
        printf("ok: one session-start budget for 2 processes\n");
    } else if (argc > 1 && strcmp(argv[1], "autoshard") == 0) {
        run_autoshard();
        printf("ok: auto-sharded shards leased\n");
    } else {
        run();
        printf("ok: 4 processes x 4 shards through Redis\n");
    }
    redis_kill(&R);
    return 0;
}
