/*
 * bench_memory.c: where an idle bot's memory goes. A bot connects to the
 * fake Discord (in a child process, so the fake's memory is not counted),
 * gets READY and its guilds, idles SETTLE_S seconds, then reads its own
 * /proc/self/smaps and sorts the anonymous memory into thread stacks, the
 * main heap, and other anonymous mappings (the malloc arenas of other
 * threads, the libraries' own mmaps). The floor, measured in another
 * child of the same run: a process that only initialises the same
 * libraries (an lws client context with OpenSSL, libcurl with a multi
 * handle). Prints one JSON line, sizes in kB.
 */
#include "bench_fake.h"

#include <dbot/dbot.h>

#include <curl/curl.h>
#include <libwebsockets.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TOKEN    "bench-token-not-a-secret-0123456789"
#define SETTLE_S 2

struct mem {
    long rss, anon, stacks, heap, other_anon, threads;
};

/* Thread stacks are the anonymous mappings of exactly a stack's size;
 * everything else anonymous is heap ([heap]) or other. */
static void
measure(struct mem *m, long stack_kb, int dump)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[512], kind = 0;
    long size = 0, v;

    memset(m, 0, sizeof *m);
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        unsigned long a, b;
        char perms[8];

        if (sscanf(line, "%lx-%lx %7s", &a, &b, perms) == 3) {
            /* A mapping header: "start-end perms offset dev inode [path]". */
            kind = strstr(line, "[heap]") ? 'h' : 'o';
            if (dump)
                fputs(line, stderr);
            continue;
        }
        if (dump && !strncmp(line, "Anonymous:", 10))
            fputs(line, stderr);
        if (sscanf(line, "Size: %ld kB", &v) == 1)
            size = v;
        else if (sscanf(line, "Rss: %ld kB", &v) == 1)
            m->rss += v;
        else if (sscanf(line, "Anonymous: %ld kB", &v) == 1 && v > 0) {
            m->anon += v;
            if (kind == 'h')
                m->heap += v;
            else if (size == stack_kb)
                m->stacks += v;
            else
                m->other_anon += v;
        }
    }
    fclose(f);
    f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f))
        sscanf(line, "Threads: %ld", &m->threads);
    if (f)
        fclose(f);
}

static long
default_stack_kb(void)
{
    pthread_attr_t a;
    size_t sz = 0;

    pthread_attr_init(&a);
    pthread_attr_getstacksize(&a, &sz);
    pthread_attr_destroy(&a);
    return (long)(sz / 1024);
}

/* The floor: the same libraries, initialised, no dbot. */
static void
floor_child(int fd)
{
    struct lws_context_creation_info info;
    struct lws_context *ctx;
    CURLM *multi;
    struct mem m;

    lws_set_log_level(0, NULL);
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.gid = (gid_t)-1;
    info.uid = (uid_t)-1;
    ctx = lws_create_context(&info);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    multi = curl_multi_init();
    sleep(1);
    measure(&m, default_stack_kb(), 0);
    if (write(fd, &m, sizeof m) != sizeof m)
        _exit(1);
    curl_multi_cleanup(multi);
    lws_context_destroy(ctx);
    _exit(ctx && multi ? 0 : 1);
}

static atomic_int guilds;

static void
on_guild(dbot *bot, const dbot_event *ev, void *arg)
{
    (void)bot;
    (void)ev;
    (void)arg;
    atomic_fetch_add(&guilds, 1);
}

static void *
run_bot(void *arg)
{
    dbot_run(arg);
    return NULL;
}

int
main(void)
{
    struct fakecord_opts o = { .token = TOKEN, .guilds = 3 };
    int p_floor[2];
    struct bench_fake fake;
    struct mem fl, m;
    pid_t floor_pid;
    char cfg[1024];
    dbot *bot;
    pthread_t th;

    if (pipe(p_floor) < 0)
        return 1;
    floor_pid = fork();
    if (floor_pid == 0)
        floor_child(p_floor[1]);
    if (read(p_floor[0], &fl, sizeof fl) != sizeof fl)
        return 1;
    waitpid(floor_pid, NULL, 0);
    if (bench_fake_start(&fake, &o, NULL) < 0)
        return 1;

    dbot_log_set_level(DBOT_LOG_WARN);
    snprintf(cfg, sizeof cfg,
             "{\"token\":\"%s\",\"api_url\":\"%s\",\"gateway_url\":\"%s\","
             "\"intents\":[\"GUILDS\"],\"log_level\":\"warn\"}",
             TOKEN, fake.api, fake.gw);
    if (dbot_new_from_json(&bot, cfg) < 0 ||
        dbot_on(bot, "GUILD_CREATE", on_guild, NULL) < 0)
        return 1;
    pthread_create(&th, NULL, run_bot, bot);
    for (int i = 0; i < 2000 && atomic_load(&guilds) < 3; i++) {
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    if (atomic_load(&guilds) < 3) {
        fprintf(stderr, "bench_memory: the bot never got its guilds\n");
        return 1;
    }
    sleep(SETTLE_S);
    /* BENCH_MEMORY_MAPS=1: every mapping and its anonymous kB to stderr. */
    measure(&m, default_stack_kb(), getenv("BENCH_MEMORY_MAPS") != NULL);
    dbot_stop(bot);
    pthread_join(th, NULL);
    dbot_free(bot);
    bench_fake_stop(&fake);
    printf("{\"bench\":\"memory\",\"settle_s\":%d,\"threads\":%ld,"
           "\"rss_kb\":%ld,\"anon_kb\":%ld,\"thread_stacks_kb\":%ld,"
           "\"main_heap_kb\":%ld,\"other_anon_kb\":%ld,"
           "\"floor_threads\":%ld,\"floor_rss_kb\":%ld,\"floor_anon_kb\":%ld,"
           "\"anon_over_floor_kb\":%ld,\"rss_vs_floor\":%.2f}\n",
           SETTLE_S, m.threads, m.rss, m.anon, m.stacks, m.heap, m.other_anon,
           fl.threads, fl.rss, fl.anon, m.anon - fl.anon,
           (double)m.rss / (double)fl.rss);
    return 0;
}
