/*
 * bench_ack.c: interaction acknowledgement latency while every worker is
 * saturated by offloaded jobs, against a fake Discord on 127.0.0.1.
 *
 * Three measurements in one run, printed as ONE JSON line:
 *   http_rtt_ms     the floor: a bare libcurl easy POST to the fake's REST
 *                   over loopback, keep-alive, idle machine (p50, p99);
 *   empty_jobs_per_s  empty jobs through the bot's pool (dbot_work_submit),
 *                   256 in flight, each done resubmitting (2 s);
 *   ack_ms          interactions pushed by the fake at `rate` per second for
 *                   `seconds`; every handler calls dbot_interaction_offload()
 *                   with a job of job_ms (spinning the CPU by default, so
 *                   the workers also compete with the loop for the cores).
 *                   The latency is the fake's own: from creating the
 *                   interaction (just before it writes INTERACTION_CREATE)
 *                   to receiving the callback POST (fakecord_interaction_log
 *                   callback_ms, µs resolution). Once the queue is full the
 *                   acknowledgement is the ephemeral busy answer; both kinds
 *                   are counted.
 *
 * Usage: bench_ack [seconds]   (default 30; env BENCH_SECONDS, BENCH_RATE
 * (1000), BENCH_JOB=spin|sleep, BENCH_JOB_MS (20), BENCH_WORKERS (0: one per
 * core), BENCH_QUEUE (1024), BENCH_NICE (the workers' nice, default 10)).
 */
#include "fakecord.h"

#include <dbot/dbot.h>
#include <dbot/interaction.h>
#include <dbot/worker.h>

#include <curl/curl.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TOKEN       "bench-token-not-a-secret-0123456789"
#define HTTP_ROUNDS 2000
#define POOL_WINDOW 256
#define POOL_SECS   2

static int job_ms = 20;
static int job_spin = 1;

static int64_t
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
env_int(const char *name, int def)
{
    const char *v = getenv(name);

    return v && *v ? atoi(v) : def;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array. */
static double
pct(const double *v, size_t n, double p)
{
    size_t k;

    if (n == 0)
        return -1;
    k = (size_t)(p / 100.0 * (double)n + 0.5);
    if (k < 1)
        k = 1;
    if (k > n)
        k = n;
    return v[k - 1];
}

static void
quiet_sink(const char *line, size_t len, void *data)
{
    static atomic_int shown;

    (void)data;
    /* Warnings matter (a stalled loop, a failed request) but must not
     * flood the benchmark's output. */
    if (atomic_fetch_add(&shown, 1) < 20)
        fwrite(line, 1, len, stderr);
}

/* ---- the bot ------------------------------------------------------------ */

static void
job_work(dbot_work *w)
{
    int64_t end = now_ns() + (int64_t)job_ms * 1000000;

    if (job_spin) {
        while (now_ns() < end) /* the clock read is the CPU work */
            ;
    } else {
        struct timespec ts = { job_ms / 1000, (long)(job_ms % 1000) * 1000000 };

        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
    dbot_work_reply(w, "done");
}

static int
on_bench(dbot_interaction *ix, void *data)
{
    (void)data;
    return dbot_interaction_offload(ix, job_work, NULL);
}

static void *
bot_thread(void *arg)
{
    dbot_run(arg);
    return NULL;
}

static atomic_int ready;

static void
on_ready(dbot *bot, const dbot_event *ev, void *data)
{
    (void)bot;
    (void)ev;
    (void)data;
    atomic_store(&ready, 1);
}

/* ---- empty jobs through the pool ---------------------------------------- */

struct pool_run {
    int64_t end_ns;
    long count;         /* [loop] */
    int inflight;       /* [loop] */
    atomic_long result; /* count once every job is back, else -1 */
};

static void
empty_work(dbot_work *w)
{
    (void)w;
}

static void
empty_done(dbot *bot, dbot_work *w, int status)
{
    struct pool_run *p = dbot_work_data(w);

    (void)status;
    p->count++;
    if (now_ns() < p->end_ns &&
        dbot_work_submit(bot, empty_work, empty_done, p, 0) == 0)
        return;
    if (--p->inflight == 0)
        atomic_store(&p->result, p->count);
}

static void
pool_start(dbot *bot, void *arg)
{
    struct pool_run *p = arg;

    p->end_ns = now_ns() + (int64_t)POOL_SECS * 1000000000;
    for (int i = 0; i < POOL_WINDOW; i++)
        if (dbot_work_submit(bot, empty_work, empty_done, p, 0) == 0)
            p->inflight++;
    if (p->inflight == 0)
        atomic_store(&p->result, 0);
}

/* ---- the loopback floor -------------------------------------------------- */

static size_t
discard_body(char *ptr, size_t size, size_t n, void *data)
{
    (void)ptr;
    (void)data;
    return size * n;
}

static int
http_rtt(fakecord *fc, double *p50, double *p99)
{
    static double v[HTTP_ROUNDS];
    char url[256];
    struct curl_slist *hdr = NULL;
    CURL *e = curl_easy_init();
    int n = 0;

    if (!e)
        return -1;
    snprintf(url, sizeof url, "%s/channels/1/messages", fakecord_api_url(fc));
    hdr = curl_slist_append(hdr, "Authorization: Bot " TOKEN);
    hdr = curl_slist_append(hdr, "Content-Type: application/json");
    /* Discord requires it; the fake counts a request without it. */
    hdr = curl_slist_append(hdr, "User-Agent: DiscordBot (" DBOT_PROJECT_URL
                                 ", " DBOT_VERSION ")");
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, "{\"content\":\"x\"}");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard_body);
    for (int i = 0; i < HTTP_ROUNDS; i++) {
        int64_t t0 = now_ns();
        long code = 0;

        if (curl_easy_perform(e) != CURLE_OK)
            continue;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
        if (code != 200)
            continue;
        v[n++] = (double)(now_ns() - t0) / 1e6;
    }
    curl_slist_free_all(hdr);
    curl_easy_cleanup(e);
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    *p50 = pct(v, (size_t)n, 50);
    *p99 = pct(v, (size_t)n, 99);
    return n;
}

/* ---- main ------------------------------------------------------------------
 */

int
main(int argc, char **argv)
{
    int seconds = argc > 1 ? atoi(argv[1]) : env_int("BENCH_SECONDS", 30);
    int rate = env_int("BENCH_RATE", 1000);
    int workers = env_int("BENCH_WORKERS", 0);
    int queue = env_int("BENCH_QUEUE", 1024);
    const char *job = getenv("BENCH_JOB");
    struct fakecord_opts o = { .token = TOKEN };
    struct fakecord_stats st;
    struct pool_run pr = { .result = -1 };
    fakecord *fc;
    dbot *bot;
    pthread_t th;
    char cfg[1024], *viol;
    uint64_t *ids;
    double *lat, rtt50 = -1, rtt99 = -1, pool_rate, push_s;
    size_t nlat = 0;
    struct fakecord_ack *acks = NULL;
    int total, deferred = 0, busy = 0, unacked = 0, push_failed = 0;
    int nrtt, nacks;
    int64_t t0, t;

    if (seconds <= 0 || rate <= 0)
        return 2;
    job_ms = env_int("BENCH_JOB_MS", 20);
    job_spin = !(job && strcmp(job, "sleep") == 0);
    total = seconds * rate;
    ids = calloc((size_t)total, sizeof *ids);
    lat = calloc((size_t)total, sizeof *lat);
    if (!ids || !lat)
        return 1;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    dbot_log_set_sink(quiet_sink, NULL);
    fc = fakecord_start(&o);
    if (!fc)
        return 1;
    /* The floor's route must not be rate limited. */
    fakecord_rest_limit(fc, "POST", "/channels/{channel_id}/messages", "b", 0,
                        0);
    snprintf(cfg, sizeof cfg,
             "{\"token\":\"%s\",\"api_url\":\"%s\",\"gateway_url\":\"%s\","
             "\"log_level\":\"warn\",\"workers\":%d,\"queue_size\":%d}",
             TOKEN, fakecord_api_url(fc), fakecord_gateway_url(fc), workers,
             queue);
    if (dbot_new_from_json(&bot, cfg) < 0)
        return 1;
    dbot_on_command(bot, "bench", on_bench, NULL);
    if (getenv("BENCH_NICE"))
        dbot_workers_set_nice(bot, env_int("BENCH_NICE", 10));
    dbot_on(bot, "READY", on_ready, NULL);
    pthread_create(&th, NULL, bot_thread, bot);
    for (t = now_ns(); !atomic_load(&ready);) {
        struct timespec ts = { 0, 1000000 };

        if (now_ns() - t > 10000000000LL) {
            fprintf(stderr, "bench_ack: the bot never got READY\n");
            return 1;
        }
        nanosleep(&ts, NULL);
    }

    nrtt = http_rtt(fc, &rtt50, &rtt99);

    dbot_post(bot, pool_start, &pr);
    while (atomic_load(&pr.result) < 0) {
        struct timespec ts = { 0, 10000000 };

        nanosleep(&ts, NULL);
    }
    pool_rate = (double)atomic_load(&pr.result) / POOL_SECS;

    /* Push on an absolute schedule: a slow push is caught up, not
     * forgiven, so the offered rate is the real one. */
    t0 = now_ns();
    for (int i = 0; i < total; i++) {
        int64_t at = t0 + (int64_t)i * 1000000000 / rate;
        struct timespec ts = { (time_t)(at / 1000000000),
                               (long)(at % 1000000000) };

        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
               EINTR)
            ;
        ids[i] = fakecord_push_interaction(
            fc, "{\"type\":2,\"channel_id\":\"5\",\"user\":{\"id\":\"42\"},"
                "\"data\":{\"id\":\"7\",\"name\":\"bench\",\"type\":1}}");
    }
    push_s = (double)(now_ns() - t0) / 1e9;
    /* Let the last acknowledgements land: they are due within 3 s, so
     * after 3.5 s whatever has none is counted as unacknowledged. */
    for (t = now_ns();; free(acks)) {
        struct timespec ts = { 0, 50000000 };
        int pending = 0;

        nacks = fakecord_interaction_acks(fc, &acks);
        for (int k = 0; k < nacks; k++)
            pending += acks[k].callbacks == 0;
        if (pending == 0 || now_ns() - t > 3500000000LL)
            break;
        nanosleep(&ts, NULL);
    }
    /* Both lists ascend by id (snowflakes grow with time and the bench
     * pushes in order), so walk them together. */
    for (int i = 0, k = 0; i < total; i++) {
        while (k < nacks && acks[k].id < ids[i])
            k++;
        push_failed += ids[i] == 0;
        if (!ids[i] || k >= nacks || acks[k].id != ids[i] ||
            acks[k].callbacks == 0) {
            unacked++;
            continue;
        }
        lat[nlat++] = acks[k].callback_ms;
        deferred += acks[k].callback_type == 5;
        busy += acks[k].callback_type == 4;
    }
    free(acks);
    qsort(lat, nlat, sizeof *lat, cmp_double);
    fakecord_stats(fc, &st);
    viol = fakecord_violations(fc);

    printf("{\"bench\":\"ack\",\"seconds\":%d,\"rate\":%d,"
           "\"pushed\":%d,\"offered_per_s\":%.0f,\"workers\":%d,"
           "\"queue_size\":%d,\"worker_nice\":%d,\"job\":\"%s\",\"job_ms\":%d,"
           "\"acked\":%zu,\"deferred\":%d,\"busy\":%d,\"unacked\":%d,"
           "\"push_failed\":%d,\"violations\":%d,\"connections\":%d,"
           "\"ack_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f},"
           "\"http_rtt_ms\":{\"n\":%d,\"p50\":%.3f,\"p99\":%.3f},"
           "\"empty_jobs_per_s\":%.0f}\n",
           seconds, rate, total, (double)total / push_s, workers, queue,
           env_int("BENCH_NICE", 10), job_spin ? "spin" : "sleep", job_ms, nlat,
           deferred, busy, unacked, push_failed, st.violations, st.connections,
           pct(lat, nlat, 50), pct(lat, nlat, 99), nlat ? lat[nlat - 1] : -1.0,
           nrtt, rtt50, rtt99, pool_rate);
    fflush(stdout);
    if (viol && *viol)
        fprintf(stderr, "violations:\n%.2000s\n", viol);
    free(viol);

    dbot_stop(bot);
    pthread_join(th, NULL);
    dbot_free(bot);
    fakecord_stop(fc);
    curl_global_cleanup();
    free(ids);
    free(lat);
    return unacked || st.violations ? 1 : 0;
}
