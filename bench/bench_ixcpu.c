/*
 * bench_ixcpu.c: CPU per interaction, the issue #13 measurement. The fake
 * Discord (a child process, so its CPU is not counted) pushes RATE
 * slash-command interactions a second for SECONDS seconds; each is
 * answered with "pong" (a type-4 callback POST). Counted: the CPU of the
 * whole answering process (getrusage) per interaction, for
 *   dbot      a bot whose command handler calls dbot_interaction_reply;
 *   floor     a raw acking client in the same run: one lws websocket with
 *             zlib inflate and cJSON parse (tests/fakecord/fc_testclient.c),
 *             and one keep-alive curl handle POSTing each callback from
 *             the same thread, nothing else.
 * Prints one JSON line, microseconds of CPU per interaction, how many of
 * them the fake saw acknowledged and how fast (p50/p99 from the fake's
 * push to the callback's arrival, for both), and the process's resident
 * size at the end of dbot's run.
 *
 * Knobs: BENCH_RATE, BENCH_SECONDS (1,000/s for 5 s by default);
 * BENCH_ONLY=dbot|raw runs one side (for profilers); BENCH_THREADS=1
 * prints each thread's CPU and sleeps (voluntary context switches) per
 * interaction to stderr.
 */
#include "bench_clock.h"
#include "bench_fake.h"
#include "fc_testclient.h"

#include <dbot/dbot.h>
#include <dbot/interaction.h>

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* BENCH_RATE overrides (a profiler that slows the bot down needs less). */
static int RATE = 1000;
static int SECONDS = 5; /* BENCH_SECONDS overrides */
#define TOTAL (RATE * SECONDS)
#define TOKEN "test-token" /* what fc_testclient identifies with */
#ifndef WSC_ZLIB
#define WSC_ZLIB 1
#endif

static int64_t
mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* What the fake saw of one run: how many were acknowledged, and the
 * acknowledgement latency (its push to the callback's arrival). */
struct fake_answer {
    int acked;
    double p50_ms, p99_ms;
};

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* ---- the fake (child): 'i' pushes TOTAL interactions, answers what it
 * saw (struct fake_answer). */
static void
fake_push(fakecord *fc, char c, int out)
{
    struct fakecord_ack *acks = NULL;
    struct fake_answer ans = { 0, -1, -1 };
    int64_t t0 = mono_ns();
    int acked = 0, n = 0;
    uint64_t first = 0;
    double *ms;

    if (c != 'i')
        return;
    for (int i = 0; i < TOTAL; i++) {
        int64_t at = t0 + (int64_t)i * 1000000000 / RATE;
        struct timespec ts = { (time_t)(at / 1000000000),
                               (long)(at % 1000000000) };

        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        uint64_t id = fakecord_push_interaction(
            fc, "{\"type\":2,\"channel_id\":\"5\",\"user\":{\"id\":\"42\"},"
                "\"data\":{\"id\":\"7\",\"name\":\"bench\",\"type\":1}}");
        if (!first)
            first = id;
    }
    for (int64_t t = mono_ns(); mono_ns() - t < 3500000000LL; free(acks)) {
        struct timespec ts = { 0, 20000000 };

        n = fakecord_interaction_acks(fc, &acks);
        acked = 0;
        for (int k = 0; k < n; k++) /* this run's: ids grow with time */
            acked += acks[k].id >= first && acks[k].callbacks > 0;
        if (acked >= TOTAL)
            break;
        nanosleep(&ts, NULL);
    }
    n = fakecord_interaction_acks(fc, &acks);
    ms = n > 0 ? malloc((size_t)n * sizeof *ms) : NULL;
    acked = 0;
    for (int k = 0; ms && k < n; k++)
        if (acks[k].id >= first && acks[k].callbacks > 0)
            ms[acked++] = acks[k].callback_ms;
    if (acked > 0) {
        qsort(ms, (size_t)acked, sizeof *ms, cmp_double);
        ans.p50_ms = ms[acked / 2];
        ans.p99_ms = ms[(size_t)acked * 99 / 100];
    }
    ans.acked = acked;
    free(ms);
    free(acks);
    if (write(out, &ans, sizeof ans) != sizeof ans)
        _exit(1);
}

/* Per-thread CPU and sleeps of this process, for BENCH_THREADS=1: where
 * an interaction's CPU goes and how many times each thread slept for it
 * (voluntary context switches). */
#define MAX_TASKS 64
struct task_fig {
    int tid;
    char name[32];
    double cpu_s;
    long sleeps;
};

static int
task_figs(struct task_fig *out, int max)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int n = 0;
    long tick = sysconf(_SC_CLK_TCK);

    while (d && (e = readdir(d)) != NULL && n < max) {
        char path[300], buf[1024];
        unsigned long ut = 0, st = 0;
        FILE *f;
        char *p;

        if (e->d_name[0] == '.')
            continue;
        out[n].tid = atoi(e->d_name);
        snprintf(path, sizeof path, "/proc/self/task/%s/stat", e->d_name);
        if (!(f = fopen(path, "r")))
            continue;
        buf[fread(buf, 1, sizeof buf - 1, f)] = '\0';
        fclose(f);
        p = strchr(buf, '(');
        snprintf(out[n].name, sizeof out[n].name, "%.*s",
                 p ? (int)(strchr(p, ')') - p - 1) : 0, p ? p + 1 : "");
        p = strrchr(buf, ')');
        if (!p || sscanf(p + 2,
                         "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
                         "%lu %lu",
                         &ut, &st) != 2)
            continue;
        out[n].cpu_s = (double)(ut + st) / (double)tick;
        snprintf(path, sizeof path, "/proc/self/task/%s/status", e->d_name);
        out[n].sleeps = 0;
        if ((f = fopen(path, "r")) != NULL) {
            while (fgets(buf, sizeof buf, f))
                sscanf(buf, "voluntary_ctxt_switches: %ld", &out[n].sleeps);
            fclose(f);
        }
        n++;
    }
    if (d)
        closedir(d);
    return n;
}

static struct task_fig figs0[MAX_TASKS];
static int nfigs0;

static void
task_figs_begin(void)
{
    if (getenv("BENCH_THREADS"))
        nfigs0 = task_figs(figs0, MAX_TASKS);
}

static void
task_figs_end(const char *who)
{
    struct task_fig now[MAX_TASKS];
    int n;

    if (!getenv("BENCH_THREADS"))
        return;
    n = task_figs(now, MAX_TASKS);
    for (int i = 0; i < n; i++) {
        double cpu = now[i].cpu_s;
        long sl = now[i].sleeps;

        for (int k = 0; k < nfigs0; k++)
            if (figs0[k].tid == now[i].tid) {
                cpu -= figs0[k].cpu_s;
                sl -= figs0[k].sleeps;
            }
        if (cpu > 0.001 || sl > TOTAL / 10)
            fprintf(stderr,
                    "%s thread %-14s %6.1f us CPU, %5.2f sleeps per "
                    "interaction\n",
                    who, now[i].name, cpu / TOTAL * 1e6, (double)sl / TOTAL);
    }
}

/* One run: start the answering side, push, return CPU per interaction. */
static struct fake_answer last; /* of the latest measure() */

static double
measure(const struct bench_fake *f, int *acked)
{
    double c0 = proc_cpu_s();

    if (write(f->to, "i", 1) != 1 ||
        read(f->from, &last, sizeof last) != sizeof last)
        return -1;
    *acked = last.acked;
    return (proc_cpu_s() - c0) / TOTAL * 1e6;
}

/* ---- dbot ---------------------------------------------------------------- */

static atomic_int bot_ready;
static long dbot_rss_kb; /* resident at the end of dbot's run */

static long
rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;

    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

static int
on_bench(dbot_interaction *ix, void *data)
{
    (void)data;
    return dbot_interaction_reply(ix, "pong");
}

static void
on_ready(dbot *bot, const dbot_event *ev, void *arg)
{
    (void)bot;
    (void)ev;
    (void)arg;
    atomic_store(&bot_ready, 1);
}

static void *
run_bot(void *arg)
{
    pthread_setname_np(pthread_self(), "bench-loop");
    dbot_run(arg);
    return NULL;
}

static double
dbot_run_once(const struct bench_fake *f, int *acked)
{
    char cfg[1024];
    dbot *bot;
    pthread_t th;
    double us;

    snprintf(
        cfg, sizeof cfg,
        "{\"token\":\"%s\",\"api_url\":\"%s\",\"gateway_url\":\"%s\","
        "\"log_level\":\"warn\",\"application_id\":\"1100000000000000000\"}",
        TOKEN, f->api, f->gw);
    if (dbot_new_from_json(&bot, cfg) < 0 ||
        dbot_on_command(bot, "bench", on_bench, NULL) < 0 ||
        dbot_on(bot, "READY", on_ready, NULL) < 0)
        return -1;
    pthread_create(&th, NULL, run_bot, bot);
    while (!atomic_load(&bot_ready)) {
        struct timespec ts = { 0, 10000000 };
        nanosleep(&ts, NULL);
    }
    task_figs_begin();
    us = measure(f, acked);
    task_figs_end("dbot");
    dbot_rss_kb = rss_kb();
    dbot_stop(bot);
    pthread_join(th, NULL);
    dbot_free(bot);
    return us;
}

/* ---- the raw acking client ---------------------------------------------- */

struct raw {
    struct wsc w;
    const struct bench_fake *f;
    CURL *curl;
    atomic_int stop;
};

static size_t
discard_body(char *p, size_t sz, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return sz * n;
}

static void
raw_ack(struct raw *r, const cJSON *d)
{
    static const char body[] = "{\"type\":4,\"data\":{\"content\":\"pong\"}}";
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(d, "id");
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(d, "token");
    struct curl_slist *h =
        curl_slist_append(NULL, "Content-Type: application/json");
    char url[1024];

    if (!cJSON_IsString(id) || !cJSON_IsString(tok))
        return;
    snprintf(url, sizeof url, "%s/interactions/%s/%s/callback", r->f->api,
             id->valuestring, tok->valuestring);
    curl_easy_setopt(r->curl, CURLOPT_URL, url);
    curl_easy_setopt(r->curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(r->curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(r->curl, CURLOPT_WRITEFUNCTION, discard_body);
    curl_easy_perform(r->curl);
    curl_slist_free_all(h);
}

static void *
raw_main(void *arg)
{
    struct raw *r = arg;

    while (!atomic_load(&r->stop)) {
        lws_service(r->w.ctx, 0);
        for (int i = 0; i < r->w.n; i++) {
            if (strcmp(msg_t(&r->w, i), "INTERACTION_CREATE") == 0)
                raw_ack(r, msg_d(&r->w, i));
            cJSON_Delete(r->w.msgs[i]);
        }
        r->w.n = 0;
    }
    return NULL;
}

static double
raw_run_once(const struct bench_fake *f, int *acked)
{
    static struct raw r;
    pthread_t th;
    double us;

    r.f = f;
    r.curl = curl_easy_init();
    /* connect_identify takes the fake's port from a fakecord *; this one
     * is in another process, so connect by URL instead. */
    wsc_open(&r.w, atoi(strrchr(f->gw, ':') + 1),
             "/?v=10&encoding=json&compress=zlib-stream", WSC_ZLIB);
    WSC_WAIT(&r.w, r.w.n >= 1, 5000);
    wsc_send(&r.w, IDENTIFY(TOKEN, 513));
    WSC_WAIT(&r.w, r.w.n >= 2, 5000);
    for (int i = 0; i < r.w.n; i++)
        cJSON_Delete(r.w.msgs[i]);
    r.w.n = 0;
    pthread_create(&th, NULL, raw_main, &r);
    task_figs_begin();
    us = measure(f, acked);
    task_figs_end("raw");
    atomic_store(&r.stop, 1);
    pthread_join(th, NULL);
    wsc_close(&r.w, 4000);
    wsc_free(&r.w);
    curl_easy_cleanup(r.curl);
    return us;
}

int
main(void)
{
    struct fakecord_opts o = { .token = TOKEN, .guilds = 1 };

    struct bench_fake f;
    struct fake_answer raw_ack = { 0, -1, -1 }, dbot_ack = { 0, -1, -1 };
    double dbot_us = 1, raw_us = 1;
    int dbot_acked = 0, raw_acked = 0;
    const char *only = getenv("BENCH_ONLY");

    if (getenv("BENCH_RATE") && atoi(getenv("BENCH_RATE")) > 0)
        RATE = atoi(getenv("BENCH_RATE"));
    if (getenv("BENCH_SECONDS") && atoi(getenv("BENCH_SECONDS")) > 0)
        SECONDS = atoi(getenv("BENCH_SECONDS"));
    if (bench_fake_start(&f, &o, fake_push) < 0)
        return 1;
    dbot_log_set_level(DBOT_LOG_WARN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    /* BENCH_ONLY=dbot or =raw runs one side (for profilers); the ratio
     * printed then means nothing. */
    if (!only || strcmp(only, "dbot") != 0) {
        raw_us = raw_run_once(&f, &raw_acked);
        raw_ack = last;
    }
    if (!only || strcmp(only, "raw") != 0) {
        dbot_us = dbot_run_once(&f, &dbot_acked);
        dbot_ack = last;
    }
    bench_fake_stop(&f);
    if (dbot_us < 0 || raw_us < 0)
        return 1;
    printf("{\"bench\":\"ixcpu\",\"rate\":%d,\"seconds\":%d,"
           "\"dbot_cpu_us_per_interaction\":%.1f,\"dbot_acked\":%d,"
           "\"raw_client_cpu_us_per_interaction\":%.1f,\"raw_acked\":%d,"
           "\"dbot_vs_raw\":%.2f,\"rss_kb_after_dbot\":%ld,"
           "\"dbot_ack_ms\":{\"p50\":%.3f,\"p99\":%.3f},"
           "\"raw_ack_ms\":{\"p50\":%.3f,\"p99\":%.3f}}\n",
           RATE, SECONDS, dbot_us, dbot_acked, raw_us, raw_acked,
           dbot_us / raw_us, dbot_rss_kb, dbot_ack.p50_ms, dbot_ack.p99_ms,
           raw_ack.p50_ms, raw_ack.p99_ms);
    curl_global_cleanup();
    return 0;
}
