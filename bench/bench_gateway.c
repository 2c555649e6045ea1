/*
 * bench_gateway.c: gateway throughput end to end, the issue #13 headline.
 * The fake Discord (in a child process, so its CPU is not the bot's) sends
 * N_EVENTS 1.2 KB MESSAGE_CREATEs as fast as it can, in batches, over
 * zlib-stream and then over zstd-stream; a bot with one MESSAGE_CREATE
 * handler (reads d.content) receives them. Measured from the first event
 * to the last: events/s and the bot process's CPU per 100k events
 * (getrusage: every bot thread). The floor, in the same run: the bare C
 * loop over the same bytes (one z_stream, inflate(Z_SYNC_FLUSH),
 * cJSON_ParseWithLength, look up t and d.content, cJSON_Delete). The
 * fake's own CPU over the run is printed too, and the bot's busy share
 * (its CPU seconds per second of the run): well under 1, the bot waited
 * for events, so the load generator (the fake, its one-frame-per-
 * writeable output, loopback), not the bot, limited events/s, and CPU per
 * 100k events is the figure to compare. discord.js's 59k/s (issue #13) is
 * quoted for reference only. BENCH_HANDLER_US=n makes the handler spin
 * n microseconds per event (work a real handler does): with the gateway
 * on its own thread, decoding then overlaps the handlers. BENCH_CONFIG
 * adds configuration fields ("\"gateway_backlog\":200000").
 */
#include "bench_fake.h"

#include <dbot/dbot.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "bench_clock.h"

#define TOKEN    "bench-token-not-a-secret-0123456789"
#define N_EVENTS 100000
#define BATCH    2000

/* d of every event: ~1.1 KB, as a MESSAGE_CREATE's. */
static const char *d_json =
    "{\"type\":0,\"tts\":false,\"timestamp\":\"2026-12-03T12:00:00.000000+00:"
    "00\",\"referenced_message\":null,\"pinned\":false,\"nonce\":"
    "\"1180000000000000000\",\"mentions\":[],\"mention_roles\":[],"
    "\"mention_everyone\":false,\"member\":{\"roles\":[\"1044000000000000001\""
    ",\"1051000000000000002\"],\"premium_since\":null,\"pending\":false,"
    "\"nick\":\"nick\",\"mute\":false,\"joined_at\":\"2024-01-01T10:00:00."
    "000000+00:00\",\"flags\":0,\"deaf\":false,\"communication_disabled_until"
    "\":null,\"banner\":null,\"avatar\":null},\"id\":\"1180000000000000001\","
    "\"flags\":0,\"embeds\":[],\"edited_timestamp\":null,\"content\":\"the "
    "quick brown fox jumps over the lazy dog; \\\"quoted\\\" and \\u00e9scaped"
    " text, with a link https://example.com/1\",\"components\":[],"
    "\"channel_type\":0,\"channel_id\":\"1010000000000000001\",\"author\":{"
    "\"username\":\"user\",\"public_flags\":0,\"id\":\"2010000000000000001\","
    "\"global_name\":\"User\",\"discriminator\":\"0\",\"clan\":null,"
    "\"avatar_decoration_data\":null,\"avatar\":\"a_0123456789abcdef01234567"
    "89abcdef\"},\"attachments\":[],\"guild_id\":\"3010000000000000001\","
    "\"sticker_items\":[],\"position\":0,\"application_id\":null,\"activity\""
    ":null,\"poll\":null,\"message_reference\":null,\"thread\":null,"
    "\"resolved\":null,\"webhook_id\":null}";

/* ---- the fake, in a child ---------------------------------------------- */

/* 's': send every event in batches; answer with the CPU it took,
 * including writing it all to the client. */
static void
fake_send_all(fakecord *fc, char c, int out)
{
    struct fakecord_stats st;
    double c0 = proc_cpu_s(), used;

    if (c != 's')
        return;
    for (int i = 0; i < N_EVENTS / BATCH; i++)
        if (fakecord_send_batch(fc, "MESSAGE_CREATE", d_json, BATCH) < 0)
            _exit(1);
    do {
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
        fakecord_stats(fc, &st);
    } while (st.frames_unsent > 0);
    used = proc_cpu_s() - c0;
    if (write(out, &used, sizeof used) != sizeof used)
        _exit(1);
}

/* ---- the bot ------------------------------------------------------------ */

struct run {
    atomic_int ready, events;
    double t_first, c_first, t_last, c_last;
    size_t content;
};

static void
on_ready(dbot *bot, const dbot_event *ev, void *arg)
{
    struct run *r = arg;

    (void)bot;
    (void)ev;
    atomic_store(&r->ready, 1);
}

static double handler_us; /* BENCH_HANDLER_US */

static void
on_message(dbot *bot, const dbot_event *ev, void *arg)
{
    struct run *r = arg;

    if (handler_us > 0)
        for (double t0 = now_s(); (now_s() - t0) * 1e6 < handler_us;)
            ;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(ev->data, "content");
    int n = atomic_load(&r->events) + 1;

    (void)bot;
    if (cJSON_IsString(c))
        r->content += strlen(c->valuestring);
    if (n == 1) {
        r->t_first = now_s();
        r->c_first = proc_cpu_s();
    }
    if (n == N_EVENTS) {
        r->t_last = now_s();
        r->c_last = proc_cpu_s();
    }
    atomic_store(&r->events, n);
}

static void *
run_bot(void *arg)
{
    dbot_run(arg);
    return NULL;
}

static int
bot_run(const struct bench_fake *u, const char *compress, double *ev_s,
        double *cpu100k, double *fake_cpu, double *busy)
{
    struct run r;
    char cfg[1024];
    dbot *bot;
    pthread_t th;

    const char *extra = getenv("BENCH_CONFIG"); /* more fields, "k":v,... */

    memset(&r, 0, sizeof r);
    snprintf(cfg, sizeof cfg,
             "{%s%s\"token\":\"%s\",\"api_url\":\"%s\",\"gateway_url\":\"%s\","
             "\"intents\":[\"GUILDS\",\"GUILD_MESSAGES\"],"
             "\"log_level\":\"warn\",\"compress\":\"%s\"}",
             extra ? extra : "", extra ? "," : "", TOKEN, u->api, u->gw,
             compress);
    if (dbot_new_from_json(&bot, cfg) < 0 ||
        dbot_on(bot, "READY", on_ready, &r) < 0 ||
        dbot_on(bot, "MESSAGE_CREATE", on_message, &r) < 0)
        return -1;
    pthread_create(&th, NULL, run_bot, bot);
    for (int i = 0; i < 2000 && !atomic_load(&r.ready); i++) {
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    if (!atomic_load(&r.ready) || write(u->to, "s", 1) != 1 ||
        read(u->from, fake_cpu, sizeof *fake_cpu) != sizeof *fake_cpu)
        return -1;
    for (int i = 0; i < 12000 && atomic_load(&r.events) < N_EVENTS; i++) {
        struct timespec ts = { 0, 5 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    dbot_stop(bot);
    pthread_join(th, NULL);
    dbot_free(bot);
    if (atomic_load(&r.events) != N_EVENTS || r.content == 0)
        return -1;
    *ev_s = (N_EVENTS - 1) / (r.t_last - r.t_first);
    *cpu100k = (r.c_last - r.c_first) * (100000.0 / (N_EVENTS - 1));
    *busy = (r.c_last - r.c_first) / (r.t_last - r.t_first);
    return 0;
}

/* ---- the floor ---------------------------------------------------------- */

static void
floor_loop(double *ev_s, double *cpu100k)
{
    size_t cap = (size_t)N_EVENTS * 256 + 4096, len = 0, dlen = strlen(d_json);
    unsigned char *z = malloc(cap), *out = malloc(64 * 1024);
    size_t *start = malloc((N_EVENTS + 1) * sizeof *start);
    char *text = malloc(dlen + 128);
    z_stream d, in;
    size_t content = 0;

    memset(&d, 0, sizeof d);
    deflateInit(&d, Z_DEFAULT_COMPRESSION);
    for (int i = 0; i < N_EVENTS; i++) {
        int n =
            snprintf(text, dlen + 128,
                     "{\"op\":0,\"d\":%s,\"s\":%d,\"t\":\"MESSAGE_CREATE\"}",
                     d_json, i + 3);
        start[i] = len;
        d.next_in = (Bytef *)text;
        d.avail_in = (uInt)n;
        d.next_out = z + len;
        d.avail_out = (uInt)(cap - len);
        deflate(&d, Z_SYNC_FLUSH);
        len = cap - d.avail_out;
    }
    start[N_EVENTS] = len;
    deflateEnd(&d);
    memset(&in, 0, sizeof in);
    inflateInit(&in);
    double t0 = now_s(), c0 = cpu_s();
    for (int i = 0; i < N_EVENTS; i++) {
        in.next_in = z + start[i];
        in.avail_in = (uInt)(start[i + 1] - start[i]);
        in.next_out = out;
        in.avail_out = 64 * 1024;
        inflate(&in, Z_SYNC_FLUSH);
        cJSON *root =
            cJSON_ParseWithLength((const char *)out, 64 * 1024 - in.avail_out);
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "t");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(root, "d"), "content");
        if (cJSON_IsString(t) && cJSON_IsString(c))
            content += strlen(c->valuestring);
        cJSON_Delete(root);
    }
    *ev_s = N_EVENTS / (now_s() - t0);
    *cpu100k = (cpu_s() - c0) * (100000.0 / N_EVENTS);
    inflateEnd(&in);
    free(z);
    free(out);
    free(start);
    free(text);
    if (!content)
        abort();
}

int
main(void)
{
    struct fakecord_opts o = { .token = TOKEN, .guilds = 1 };
    struct bench_fake fake;
    double f_ev, f_cpu, z_ev, z_cpu, z_fake, z_busy, s_ev, s_cpu, s_fake,
        s_busy;

    if (getenv("BENCH_HANDLER_US"))
        handler_us = atof(getenv("BENCH_HANDLER_US"));
    if (bench_fake_start(&fake, &o, fake_send_all) < 0)
        return 1;
    dbot_log_set_level(DBOT_LOG_WARN);
    floor_loop(&f_ev, &f_cpu);
    if (bot_run(&fake, "zlib-stream", &z_ev, &z_cpu, &z_fake, &z_busy) < 0 ||
        bot_run(&fake, "zstd-stream", &s_ev, &s_cpu, &s_fake, &s_busy) < 0) {
        fprintf(stderr, "bench_gateway: a run did not complete\n");
        return 1;
    }
    bench_fake_stop(&fake);
    printf(
        "{\"bench\":\"gateway\",\"events\":%d,\"batch\":%d,"
        "\"handler_us\":%.1f,"
        "\"floor_events_s\":%.0f,\"floor_cpu_s_per_100k\":%.3f,"
        "\"zlib_events_s\":%.0f,\"zlib_cpu_s_per_100k\":%.3f,"
        "\"zlib_fake_cpu_s\":%.2f,\"zlib_bot_busy\":%.2f,"
        "\"zlib_vs_floor_events\":%.2f,"
        "\"zlib_vs_floor_cpu\":%.2f,"
        "\"zstd_events_s\":%.0f,\"zstd_cpu_s_per_100k\":%.3f,"
        "\"zstd_fake_cpu_s\":%.2f,\"zstd_bot_busy\":%.2f,"
        "\"zstd_vs_floor_events\":%.2f,"
        "\"zstd_vs_floor_cpu\":%.2f,\"discordjs_events_s_reference\":59000}\n",
        N_EVENTS, BATCH, handler_us, f_ev, f_cpu, z_ev, z_cpu, z_fake, z_busy,
        z_ev / f_ev, z_cpu / f_cpu, s_ev, s_cpu, s_fake, s_busy, s_ev / f_ev,
        s_cpu / f_cpu);
    return 0;
}
