/*
 * soak.c: a bot under a realistic, hostile load for a long time, against
 * the fake Discord on 127.0.0.1. Usage: soak [seconds] (default 600).
 *
 * Two processes, so the bot's memory is measured alone: the parent runs the
 * fake Discord, the load and the checks; the child runs one bot (the
 * configuration a user would start from: no gateway_url, so it asks
 * GET /gateway/bot; http_listen on) and reports what its handlers saw on a
 * pipe.
 *
 * The load, all through the fake:
 *   - 16 shards by default (SOAK_SHARDS, 1..64: what Discord recommends
 *     to a bot in about 16,000 guilds), all of them READY before the load;
 *   - 1,000 gateway events/s spread over the shards (SOAK_EVENT,
 *     d = {"s": shard, "i": 0, 1, 2, ... per shard});
 *   - 20 interactions/s: "fast" (answered on the loop), "slow" (offloaded
 *     100 ms job: deferred, then @original edited), "announce" (answered,
 *     plus a channel message, on 50 channels);
 *   - every 30 s, rotating, on the next shard in turn: op 7 Reconnect, a
 *     TCP drop, op 9 (resumable); and a zombie (heartbeats not acknowledged
 *     on any shard until the bot reconnects one);
 *   - now and then a REST failure: 503 on an @original edit, 502 on a
 *     channel message, 429 on a channel message, 500 on a followup-free
 *     interaction callback's neighbour routes;
 *   - a stream of HTTP clients on /metrics and /healthz, and idle sockets
 *     held open on the listener.
 *
 * It prints resident memory over time, then ONE JSON line with the counts
 * and exits 0 only when none was lost: every event seen once and in order,
 * every interaction acknowledged within 3 s, every answer and message
 * delivered exactly once, no rate-limit or protocol violation at the fake,
 * /metrics always answered, and (runs of 5 minutes or more) resident
 * memory flat after warm-up.
 */
#include "fakecord.h"

#include <dbot/dbot.h>
#include <dbot/interaction.h>
#include <dbot/rest.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TOKEN "soak-token-not-a-secret-0123456789"
/* Rates, overridable (SOAK_EVENTS_PER_S, SOAK_IX_PER_S; 0 turns a load
 * off) to find which load a memory growth comes from. */
static int EVENTS_PER_S = 1000;
static int IX_PER_S = 20;
static int SHARDS = 16;
#define MAX_SHARDS    64
#define CHAOS_EVERY_S 30
#define CHANNELS      50
/* Idle connections held open, below the listener's per-IP cap (4): the
 * monitoring GETs must still get through beside them. */
#define IDLE_SOCKETS 2

static int64_t
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ---- the bot (child process) -------------------------------------------- */

static long long ev_next[MAX_SHARDS]; /* per shard, the d.i expected next
                                        (loop thread only) */
static atomic_llong ev_in_order;      /* events that came as expected */
static atomic_llong ev_seen;          /* SOAK_EVENTs seen */
static atomic_llong ev_gaps;          /* i skipped */
static atomic_llong ev_dups;          /* i seen again or out of order */
static atomic_llong ix_runs;          /* handler runs */

static void
on_soak_event(dbot *bot, const dbot_event *ev, void *data)
{
    const cJSON *i = cJSON_GetObjectItemCaseSensitive(ev->data, "i");
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(ev->data, "s");
    long long want, got;
    int s;

    (void)bot;
    (void)data;
    if (!cJSON_IsNumber(i) || !cJSON_IsNumber(sh))
        return;
    atomic_fetch_add(&ev_seen, 1);
    s = sh->valueint;
    if (s != ev->shard_id || s < 0 || s >= MAX_SHARDS) {
        atomic_fetch_add(&ev_dups, 1); /* delivered on the wrong shard */
        return;
    }
    want = ev_next[s];
    got = (long long)i->valuedouble;
    if (got == want) {
        ev_next[s] = want + 1;
        atomic_fetch_add(&ev_in_order, 1);
    } else if (got > want) {
        atomic_fetch_add(&ev_gaps, got - want);
        ev_next[s] = got + 1;
    } else {
        atomic_fetch_add(&ev_dups, 1);
    }
}

static int
on_fast(dbot_interaction *ix, void *data)
{
    char text[64];

    (void)data;
    atomic_fetch_add(&ix_runs, 1);
    snprintf(text, sizeof text, "fast %lld",
             (long long)dbot_option_int(dbot_interaction_options(ix), "k", -1));
    return dbot_interaction_reply(ix, text);
}

static void
slow_work(dbot_work *w)
{
    char text[64];

    sleep_ms(100); /* a worker may block: that is what it is for */
    snprintf(text, sizeof text, "slow %lld",
             (long long)dbot_option_int(dbot_work_options(w), "k", -1));
    dbot_work_reply(w, text);
}

static int
on_slow(dbot_interaction *ix, void *data)
{
    (void)data;
    atomic_fetch_add(&ix_runs, 1);
    return dbot_interaction_offload(ix, slow_work, NULL);
}

static int
on_announce(dbot_interaction *ix, void *data)
{
    char text[64];
    long long k =
        (long long)dbot_option_int(dbot_interaction_options(ix), "k", -1);
    int rc;

    (void)data;
    atomic_fetch_add(&ix_runs, 1);
    snprintf(text, sizeof text, "announce %lld", k);
    rc = dbot_interaction_reply(ix, "announcing");
    if (rc == 0)
        rc =
            dbot_message_send(dbot_interaction_bot(ix),
                              100 + (uint64_t)(k % CHANNELS), text, NULL, NULL);
    return rc;
}

static void
quiet_sink(const char *line, size_t len, void *data)
{
    /* Lines start "  1234.567 E module: ": the level letter is 5 after
     * the dot. Errors only, since the chaos makes warnings on purpose
     * (SOAK_VERBOSE=1 shows everything). */
    const char *dot = memchr(line, '.', len);

    (void)data;
    if (getenv("SOAK_VERBOSE") ||
        (dot && dot + 5 < line + len && dot[5] == 'E'))
        (void)!write(2, line, len);
}

static void *
bot_thread(void *arg)
{
    dbot_run(arg);
    return NULL;
}

static int
bot_main(int in_fd, int out_fd)
{
    char cfg[1024], line[128];
    int fake_port = 0, http_port = 0;
    pthread_t th;
    dbot *bot;
    FILE *in = fdopen(in_fd, "r");

    if (!in || fscanf(in, "%d %d", &fake_port, &http_port) != 2)
        return 2;
    fcntl(in_fd, F_SETFL, O_NONBLOCK);
    dbot_log_set_sink(quiet_sink, NULL);
    snprintf(cfg, sizeof cfg,
             "{\"token\":\"%s\",\"api_url\":\"http://127.0.0.1:%d/api/v10\","
             "\"log_level\":\"warn\",\"workers\":2,"
             "\"http_listen\":\"127.0.0.1:%d\",\"reconnect_min_ms\":100,"
             "\"reconnect_max_ms\":2000}",
             TOKEN, fake_port, http_port);
    if (dbot_new_from_json(&bot, cfg) < 0)
        return 2;
    dbot_on(bot, "SOAK_EVENT", on_soak_event, NULL);
    dbot_on_command(bot, "fast", on_fast, NULL);
    dbot_on_command(bot, "slow", on_slow, NULL);
    dbot_on_command(bot, "announce", on_announce, NULL);
    pthread_create(&th, NULL, bot_thread, bot);
    for (;;) {
        char c;
        ssize_t n = read(in_fd, &c, 1);

        if (n == 0 || (n < 0 && errno != EAGAIN))
            break; /* the parent closed the pipe: stop */
        snprintf(line, sizeof line, "%lld %lld %lld %lld %lld\n",
                 atomic_load(&ev_seen), atomic_load(&ev_in_order),
                 atomic_load(&ev_gaps), atomic_load(&ev_dups),
                 atomic_load(&ix_runs));
        if (write(out_fd, line, strlen(line)) < 0)
            break;
        sleep_ms(200);
    }
    dbot_stop(bot);
    pthread_join(th, NULL);
    dbot_free(bot);
    return 0;
}

/* ---- the checks (parent process) ---------------------------------------- */

struct bot_view {
    long long seen, in_order, gaps, dups, ix_runs;
};

/* The newest complete stats line from the child, if any. */
static void
read_bot_view(int fd, struct bot_view *v)
{
    static char buf[4096];
    static size_t len;
    ssize_t n;

    while ((n = read(fd, buf + len, sizeof buf - 1 - len)) > 0) {
        char *nl, *last = NULL;

        len += (size_t)n;
        buf[len] = '\0';
        for (char *p = buf; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
            last = p;
        if (last)
            sscanf(last, "%lld %lld %lld %lld %lld", &v->seen, &v->in_order,
                   &v->gaps, &v->dups, &v->ix_runs);
        nl = strrchr(buf, '\n');
        if (nl) {
            len = strlen(nl + 1);
            memmove(buf, nl + 1, len + 1);
        }
        if (len >= sizeof buf - 1)
            len = 0;
    }
}

static long
rss_kb(pid_t pid)
{
    char path[64], line[256];
    long kb = -1;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

static int
free_port(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0)
        port = -1;
    else
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static int
connect_loopback(int port)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* GET path; returns the HTTP status or -1, within 2 s. */
static int
http_status(int port, const char *path)
{
    char req[128], buf[512];
    int fd = connect_loopback(port), status = -1;
    size_t len = 0;
    int64_t dl = now_ms() + 2000;

    if (fd < 0)
        return -1;
    snprintf(req, sizeof req,
             "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
             path);
    if (write(fd, req, strlen(req)) == (ssize_t)strlen(req)) {
        while (len < sizeof buf - 1 && now_ms() < dl) {
            struct pollfd p = { fd, POLLIN, 0 };
            ssize_t n;

            if (poll(&p, 1, 100) <= 0)
                continue;
            n = read(fd, buf + len, sizeof buf - 1 - len);
            if (n <= 0)
                break;
            len += (size_t)n;
            buf[len] = '\0';
            if (sscanf(buf, "HTTP/1.%*d %d", &status) == 1)
                break;
        }
    }
    close(fd);
    return status;
}

static atomic_int http_stop;
static atomic_llong http_gets, http_metrics_fail;

/* Monitoring clients: /metrics and /healthz, 10 a second, with a few idle
 * sockets held open and replaced every few seconds. */
static void *
http_thread(void *arg)
{
    int port = *(int *)arg, idle[IDLE_SOCKETS];
    int64_t next_idle = 0;

    for (int i = 0; i < IDLE_SOCKETS; i++)
        idle[i] = -1;
    while (!atomic_load(&http_stop)) {
        if (http_status(port, "/metrics") != 200)
            atomic_fetch_add(&http_metrics_fail, 1);
        (void)http_status(port, "/healthz"); /* 503 while reconnecting */
        atomic_fetch_add(&http_gets, 2);
        if (now_ms() >= next_idle) {
            for (int i = 0; i < IDLE_SOCKETS; i++) {
                if (idle[i] >= 0)
                    close(idle[i]);
                idle[i] = connect_loopback(port);
            }
            next_idle = now_ms() + 5000;
        }
        sleep_ms(200);
    }
    for (int i = 0; i < IDLE_SOCKETS; i++)
        if (idle[i] >= 0)
            close(idle[i]);
    return NULL;
}

enum kind {
    FAST,
    SLOW,
    ANNOUNCE
};

struct ix_rec {
    uint64_t id;
    enum kind kind;
    int k;
};

static const char *
kind_name(enum kind k)
{
    return k == FAST ? "fast" : k == SLOW ? "slow" : "announce";
}

/* Gateway chaos, one kind per 30 s in turn, each on the next shard. The
 * zombie (no ACK on any shard) lasts until the bot has opened a new
 * connection. */
static void
chaos(fakecord *fc, int round, int *zombie_conns)
{
    struct fakecord_stats s;
    int shard = (round / 4) % SHARDS;

    switch (round % 4) {
    case 0:
        fakecord_send_reconnect_shard(fc, shard);
        break;
    case 1:
        fakecord_drop_shard(fc, shard);
        break;
    case 2:
        fakecord_stats(fc, &s);
        *zombie_conns = s.connections;
        fakecord_set_heartbeat_ack(fc, 0);
        break;
    default:
        fakecord_send_invalid_session_shard(fc, shard, 1);
        break;
    }
}

/* REST failures Discord really produces, one every few seconds. */
static void
rest_chaos(fakecord *fc, int round)
{
    switch (round % 4) {
    case 0:
        fakecord_rest_fail(fc, "PATCH", "/webhooks/", 503, 1, NULL, NULL);
        break;
    case 1:
        fakecord_rest_fail(fc, "POST", "/channels/", 502, 1, NULL, NULL);
        break;
    case 2:
        fakecord_rest_fail(fc, "POST", "/channels/", 429, 1, NULL, NULL);
        break;
    default:
        fakecord_rest_fail(fc, "PATCH", "/webhooks/", 500, 1, NULL, NULL);
        break;
    }
}

static int
count_lines(const char *s)
{
    int n = 0;

    for (; s && *s; s++)
        n += *s == '\n';
    return n;
}

/* Of the messages the fake holds, how many say "announce k" for each k:
 * fills seen[k] (k < n). */
static void
count_announces(fakecord *fc, int *seen, int n)
{
    cJSON *msgs = fakecord_messages(fc);
    const cJSON *m;

    cJSON_ArrayForEach(m, msgs) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(m, "content");
        int k;

        if (cJSON_IsString(c) &&
            sscanf(c->valuestring, "announce %d", &k) == 1 && k >= 0 && k < n)
            seen[k]++;
    }
    cJSON_Delete(msgs);
}

int
main(int argc, char **argv)
{
    int seconds = argc > 1 ? atoi(argv[1]) : 600;
    int to_child[2], from_child[2], http_port, status = 0;
    struct fakecord_opts o = { .heartbeat_interval_ms = 5000, .token = TOKEN };
    long long sent_on[MAX_SHARDS] = { 0 };
    struct bot_view v = { 0 };
    struct ix_rec *ixs;
    int nix = 0, cap_ix, zombie_conns = -1, chaos_round = 0, rest_round = 0;
    long long events_sent = 0, push_fail = 0;
    long rss_warm = -1, rss_max = 0, rss_end;
    int64_t t0, next_chaos, next_rest, next_ix, next_ev, next_rss, end;
    pthread_t hth;
    fakecord *fc;
    pid_t pid;
    char d[64], cmd[320];

    if (getenv("SOAK_EVENTS_PER_S"))
        EVENTS_PER_S = atoi(getenv("SOAK_EVENTS_PER_S"));
    if (getenv("SOAK_IX_PER_S"))
        IX_PER_S = atoi(getenv("SOAK_IX_PER_S"));
    if (getenv("SOAK_SHARDS"))
        SHARDS = atoi(getenv("SOAK_SHARDS"));
    if (seconds < 10 || EVENTS_PER_S < 0 || EVENTS_PER_S > 100000 ||
        IX_PER_S < 0 || IX_PER_S > 1000 || SHARDS < 1 || SHARDS > MAX_SHARDS) {
        fprintf(stderr, "soak: at least 10 s; rates 0..100000 events/s, "
                        "0..1000 interactions/s; 1..64 shards\n");
        return 2;
    }
    /* The bot's config says nothing of shards: it starts what
     * /gateway/bot recommends, as a user's bot would. A bot that big has
     * 16 identify buckets; 64 shards take four 5 s rounds to READY. */
    o.shards = SHARDS;
    o.guilds = SHARDS;
    o.max_concurrency = SHARDS < 16 ? SHARDS : 16;
    signal(SIGPIPE, SIG_IGN);
    http_port = free_port();
    if (pipe(to_child) < 0 || pipe(from_child) < 0)
        return 2;
    pid = fork(); /* before any thread exists in this process */
    if (pid < 0)
        return 2;
    if (pid == 0) {
        close(to_child[1]);
        close(from_child[0]);
        _exit(bot_main(to_child[0], from_child[1]));
    }
    close(to_child[0]);
    close(from_child[1]);
    fcntl(from_child[0], F_SETFL, O_NONBLOCK);

    fc = fakecord_start(&o);
    if (!fc)
        return 2;
    /* Channel messages: Discord's 5 per 5 s per channel; the bot spreads
     * its announcements over 50 channels and must queue, not trip it. */
    dprintf(to_child[1], "%d %d\n", fakecord_port(fc), http_port);

    cap_ix = seconds * IX_PER_S + 64;
    ixs = calloc((size_t)cap_ix, sizeof *ixs);
    if (!ixs)
        return 2;

    /* Wait for every shard's READY: the fake has a session to push to. */
    t0 = now_ms();
    for (int sh = 0; sh < SHARDS; sh++)
        while (fakecord_push_event_shard(fc, sh, "SOAK_WARMUP", "{}") < 0) {
            if (now_ms() - t0 > 60000) {
                fprintf(stderr, "soak: shard %d never got READY\n", sh);
                kill(pid, SIGKILL);
                return 1;
            }
            sleep_ms(20);
        }
    printf("soak: %d shards READY in %lld ms\n", SHARDS,
           (long long)(now_ms() - t0));
    pthread_create(&hth, NULL, http_thread, &http_port);

    t0 = now_ms();
    end = t0 + (int64_t)seconds * 1000;
    next_ev = next_ix = t0;
    next_chaos = t0 + CHAOS_EVERY_S * 1000 / 3; /* the first one early */
    next_rest = t0 + 3000;
    next_rss = t0;
    printf("soak: %d s, %d shards, %d events/s, %d interactions/s, chaos "
           "every %d s\n",
           seconds, SHARDS, EVENTS_PER_S, IX_PER_S, CHAOS_EVERY_S);
    fflush(stdout);
    while (now_ms() < end) {
        int64_t now = now_ms();

        /* Events on an absolute schedule, 10 per 10 ms. */
        while (EVENTS_PER_S > 0 && next_ev <= now) {
            for (int k = 0; k < EVENTS_PER_S / 100; k++) {
                int sh = (int)((events_sent + push_fail) % SHARDS);

                snprintf(d, sizeof d, "{\"s\":%d,\"i\":%lld}", sh, sent_on[sh]);
                if (fakecord_push_event_shard(fc, sh, "SOAK_EVENT", d) < 0) {
                    push_fail++; /* no session at all: not sent */
                    continue;
                }
                sent_on[sh]++;
                events_sent++;
            }
            next_ev += 10;
        }
        while (IX_PER_S > 0 && next_ix <= now && nix < cap_ix) {
            enum kind kind = nix % 10 < 5   ? FAST
                             : nix % 10 < 8 ? SLOW
                                            : ANNOUNCE;
            uint64_t id;

            snprintf(cmd, sizeof cmd,
                     "{\"type\":2,\"channel_id\":\"%d\",\"user\":{\"id\":"
                     "\"42\"},\"data\":{\"id\":\"7\",\"name\":\"%s\","
                     "\"type\":1,\"options\":[{\"name\":\"k\",\"type\":4,"
                     "\"value\":%d}]}}",
                     100 + nix % CHANNELS, kind_name(kind), nix);
            id = fakecord_push_interaction(fc, cmd);
            if (id) {
                ixs[nix].id = id;
                ixs[nix].kind = kind;
                ixs[nix].k = nix;
                nix++;
            }
            next_ix += 1000 / IX_PER_S;
        }
        if (zombie_conns >= 0) {
            struct fakecord_stats s;

            fakecord_stats(fc, &s);
            if (s.connections > zombie_conns) {
                fakecord_set_heartbeat_ack(fc, 1);
                zombie_conns = -1;
            }
        }
        if (now >= next_chaos && zombie_conns < 0) {
            chaos(fc, chaos_round++, &zombie_conns);
            next_chaos = now + CHAOS_EVERY_S * 1000;
        }
        if (now >= next_rest) {
            rest_chaos(fc, rest_round++);
            next_rest = now + 2500 + (rest_round % 3) * 1000;
        }
        if (now >= next_rss) {
            long kb = rss_kb(pid);

            read_bot_view(from_child[0], &v);
            if (kb > rss_max)
                rss_max = kb;
            /* Warm-up: the first fifth of the run, at most 2 minutes. */
            if (rss_warm < 0 && now - t0 >= (seconds * 1000LL / 5 < 120000
                                                 ? seconds * 1000LL / 5
                                                 : 120000))
                rss_warm = kb;
            printf("soak: t=%llds rss_kb=%ld events=%lld/%lld "
                   "interactions=%d handled=%lld\n",
                   (long long)((now - t0) / 1000), kb, v.seen, events_sent, nix,
                   v.ix_runs);
            fflush(stdout);
            next_rss = now + (seconds >= 300 ? 30000 : 5000);
        }
        sleep_ms(2);
    }
    fakecord_set_heartbeat_ack(fc, 1);

    /* Drain: every event seen, every interaction answered (due in 3 s,
     * edits after the 100 ms job and any retries). */
    for (int64_t dl = now_ms() + 30000; now_ms() < dl; sleep_ms(50)) {
        read_bot_view(from_child[0], &v);
        if (v.seen >= events_sent)
            break;
    }
    sleep_ms(3500);
    read_bot_view(from_child[0], &v);
    rss_end = rss_kb(pid);

    {
        struct fakecord_ack *acks = NULL;
        int nacks = fakecord_interaction_acks(fc, &acks), late = 0, unacked = 0;
        int answers_lost = 0, dup_answers = 0, *announced;
        char *viol = fakecord_violations(fc);
        int nviol = count_lines(viol);
        int flat =
            seconds < 300 || rss_warm < 0 ||
            rss_end <= rss_warm + (rss_warm / 10 > 4096 ? rss_warm / 10 : 4096);

        announced = calloc((size_t)(nix + 1), sizeof *announced);
        count_announces(fc, announced, nix);
        /* Both lists ascend by id (pushed in order). */
        for (int i = 0, a = 0; i < nix; i++) {
            while (a < nacks && acks[a].id < ixs[i].id)
                a++;
            if (a >= nacks || acks[a].id != ixs[i].id ||
                acks[a].callbacks == 0) {
                unacked++;
                answers_lost++;
                continue;
            }
            if (acks[a].callback_ms > 3000)
                late++;
            if (ixs[i].kind == SLOW && acks[a].edits < 1)
                answers_lost++;
            if (ixs[i].kind == ANNOUNCE) {
                if (announced[ixs[i].k] == 0)
                    answers_lost++;
                else if (announced[ixs[i].k] > 1)
                    dup_answers++;
            }
        }
        if (viol && *viol)
            fprintf(stderr, "soak: fakecord violations:\n%s", viol);
        printf("{\"bench\":\"soak\",\"seconds\":%d,\"shards\":%d,"
               "\"events_sent\":%lld,"
               "\"events_seen\":%lld,\"events_lost\":%lld,"
               "\"events_duplicated\":%lld,\"interactions\":%d,"
               "\"not_acked_3s\":%d,\"answers_lost\":%d,"
               "\"answers_duplicated\":%d,\"violations\":%d,"
               "\"http_gets\":%lld,\"metrics_failures\":%lld,"
               "\"chaos_rounds\":%d,\"rest_faults\":%d,\"rss_kb_warm\":%ld,"
               "\"rss_kb_end\":%ld,\"rss_kb_max\":%ld}\n",
               seconds, SHARDS, events_sent, v.seen,
               events_sent - v.seen + v.gaps, v.dups, nix, unacked + late,
               answers_lost, dup_answers, nviol, atomic_load(&http_gets),
               atomic_load(&http_metrics_fail), chaos_round, rest_round,
               rss_warm, rss_end, rss_max);
        if (v.seen != events_sent || v.in_order != events_sent || v.gaps ||
            v.dups || unacked || late || answers_lost || dup_answers || nviol ||
            atomic_load(&http_metrics_fail) || !flat)
            status = 1;
        if (!flat)
            fprintf(stderr,
                    "soak: resident memory grew from %ld to %ld kB "
                    "after warm-up\n",
                    rss_warm, rss_end);
        free(announced);
        free(acks);
        free(viol);
    }

    atomic_store(&http_stop, 1);
    pthread_join(hth, NULL);
    close(to_child[1]); /* the child stops its bot */
    {
        int wst = 0;
        int64_t dl = now_ms() + 20000;

        while (waitpid(pid, &wst, WNOHANG) == 0) {
            if (now_ms() > dl) {
                kill(pid, SIGKILL);
                waitpid(pid, &wst, 0);
                fprintf(stderr, "soak: the bot did not stop in 20 s\n");
                status = 1;
                break;
            }
            sleep_ms(50);
        }
        if (WIFEXITED(wst) && WEXITSTATUS(wst) != 0)
            status = 1;
    }
    fakecord_stop(fc);
    free(ixs);
    printf("soak: %s\n", status ? "FAILED" : "passed");
    return status;
}
